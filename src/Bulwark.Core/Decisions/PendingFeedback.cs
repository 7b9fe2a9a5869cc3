using Bulwark.Core.Limits;
using Bulwark.Core.Policy;

namespace Bulwark.Core.Decisions;

/// <summary>
/// Counters a decision leaves open until feedback: failure-counting limits (charged when the response failed) and
/// concurrency leases (released whatever the outcome). Settled at most once.
/// </summary>
internal sealed class PendingFeedback
{
    private int _settled;

    public PendingFeedback(CounterOperation[] failureCharges, CompiledLimit[] failureLimits, CounterOperation[] releases)
    {
        FailureCharges = failureCharges;
        FailureLimits = failureLimits;
        Releases = releases;
    }

    /// <summary>Charge operations, one per failure-counting limit, in the order of <see cref="FailureLimits"/>.</summary>
    public CounterOperation[] FailureCharges { get; }

    /// <summary>The failure-counting limits, to test the status against.</summary>
    public CompiledLimit[] FailureLimits { get; }

    /// <summary>Release operations for concurrency leases that were taken.</summary>
    public CounterOperation[] Releases { get; }

    /// <summary>True the first time only.</summary>
    public bool TrySettle() => Interlocked.Exchange(ref _settled, 1) == 0;
}
