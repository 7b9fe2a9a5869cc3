namespace Bulwark.Core.Decisions;

/// <summary>One piece of evidence behind a decision: the signal that fired, its weight in the score, and why.</summary>
/// <remarks>
/// A detector on the hot path may hand over its evidence as a <see cref="DeferredDetail"/>: the values are captured when
/// the signal fires and formatted only the first time <see cref="Detail"/> is read (when the decision is logged, recorded
/// or otherwise leaves the process). Equality and printing are by <see cref="Signal"/>, <see cref="Weight"/> and the
/// formatted <see cref="Detail"/>, exactly as before.
/// </remarks>
public sealed record DecisionReason
{
    private readonly DeferredDetail? _deferred;
    private string? _detail;

    /// <summary>Creates a reason with its evidence already formatted.</summary>
    /// <param name="signal">Stable snake_case signal name, for example <c>rate_limited</c> or <c>deny_list</c>.</param>
    /// <param name="weight">Points this signal added to the score (0 for reasons that decide on their own, such as a limit).</param>
    /// <param name="detail">Human-readable evidence. Never sent to the client; logged and written to decision records.</param>
    public DecisionReason(string signal, int weight, string detail)
    {
        Signal = signal;
        Weight = weight;
        _detail = detail;
    }

    /// <summary>Creates a reason whose evidence is formatted on first read.</summary>
    internal DecisionReason(string signal, int weight, DeferredDetail detail)
    {
        Signal = signal;
        Weight = weight;
        _deferred = detail;
    }

    /// <summary>Stable snake_case signal name, for example <c>rate_limited</c> or <c>deny_list</c>.</summary>
    public string Signal { get; init; }

    /// <summary>Points this signal added to the score (0 for reasons that decide on their own, such as a limit).</summary>
    public int Weight { get; init; }

    /// <summary>Human-readable evidence. Never sent to the client; logged and written to decision records.</summary>
    public string Detail
    {
        // Two threads reading it first may both format it; they get equal strings, so the race is harmless.
        get => _detail ??= _deferred!.Format();
        init => _detail = value;
    }

    /// <summary>Deconstructs into signal, weight and detail.</summary>
    public void Deconstruct(out string signal, out int weight, out string detail)
    {
        signal = Signal;
        weight = Weight;
        detail = Detail;
    }

    /// <inheritdoc />
    public bool Equals(DecisionReason? other) =>
        other is not null && Signal == other.Signal && Weight == other.Weight && Detail == other.Detail;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Signal, Weight, Detail);

    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("Signal = ").Append(Signal).Append(", Weight = ").Append(Weight).Append(", Detail = ").Append(Detail);
        return true;
    }
}
