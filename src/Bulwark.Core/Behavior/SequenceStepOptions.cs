namespace Bulwark.Core.Behavior;

/// <summary>
/// One step of an expected flow: requests to <see cref="Route"/> are expected after one of <see cref="After"/> from the
/// same client (IP group × JA4 × User-Agent family), not sooner than <see cref="MinDwellMs"/> after it.
/// </summary>
public sealed record SequenceStepOptions
{
    /// <summary>Route pattern of the step (syntax of <c>Routes[].Path</c>), for example <c>/api/account/select</c>. Required.</summary>
    public string Route { get; init; } = "";

    /// <summary>Concrete paths or configured route patterns, any of which satisfies the step. Required, not empty.</summary>
    public IReadOnlyList<string> After { get; init; } = [];

    /// <summary>Fewest milliseconds between the prerequisite and the step (default 1000; 0: no check).</summary>
    public int MinDwellMs { get; init; } = 1_000;

    /// <summary>How long, in seconds, a prerequisite counts (default 1800).</summary>
    public int WithinSeconds { get; init; } = 1_800;
}
