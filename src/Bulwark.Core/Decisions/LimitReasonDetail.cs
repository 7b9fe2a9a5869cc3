using System.Globalization;
using Bulwark.Core.Limits;
using Bulwark.Core.Policy;
using Bulwark.Core.Protections;

namespace Bulwark.Core.Decisions;

/// <summary>
/// The evidence of a <c>rate_limit</c> or <c>rate_limit_delay</c> reason, kept as values and formatted when the reason's
/// detail is first read: a limit that refuses an attack refuses it on every request, and most of those reasons are
/// counted, not read.
/// </summary>
internal sealed class LimitReasonDetail : DeferredDetail
{
    private readonly CompiledLimit _limit;
    private readonly long _permits;
    private readonly long _periodTicks;
    private readonly long _cost;
    private readonly long _retrySeconds;
    private readonly TimeSpan _held;

    private LimitReasonDetail(CompiledLimit limit, in CounterOperation operation, long retrySeconds, TimeSpan held)
    {
        _limit = limit;
        _permits = operation.Permits;
        _periodTicks = operation.PeriodTicks;
        _cost = operation.Cost;
        _retrySeconds = retrySeconds;
        _held = held;
    }

    /// <summary>The limit refused; the client may retry in <paramref name="retrySeconds"/>.</summary>
    public static LimitReasonDetail Exceeded(CompiledLimit limit, in CounterOperation operation, long retrySeconds) =>
        new(limit, operation, retrySeconds, TimeSpan.MinValue);

    /// <summary>The limit admitted the request late, held for <paramref name="held"/>.</summary>
    public static LimitReasonDetail Held(CompiledLimit limit, in CounterOperation operation, TimeSpan held) =>
        new(limit, operation, 0, held);

    /// <inheritdoc />
    public override string Format() => _held == TimeSpan.MinValue
        ? string.Create(CultureInfo.InvariantCulture, $"limit '{_limit.Name}' ({LimitText()}) exceeded; retry in {_retrySeconds} s")
        : string.Create(CultureInfo.InvariantCulture, $"limit '{_limit.Name}' ({LimitText()}) over its rate; held {_held.TotalMilliseconds:0} ms");

    private string LimitText()
    {
        if (_limit.Role is ProtectionRole.KeyBudget or ProtectionRole.ActorBudget)
        {
            var per = _periodTicks >= TimeSpan.TicksPerDay ? "day" : "hour";
            return $"{Money.Format(_permits)} per {per} by {_limit.KeyText}; this call {Money.Format(_cost)}";
        }

        return $"{new RateSpec(_permits, TimeSpan.FromTicks(_periodTicks))} by {_limit.KeyText}";
    }
}
