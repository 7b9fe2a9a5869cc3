using System.Runtime.InteropServices;

namespace Bulwark.Core.Limits;

/// <summary>
/// One counter operation of a request. A request's operations travel together in one store call, so a shared store
/// needs one round trip per request.
/// </summary>
[StructLayout(LayoutKind.Auto)]
public struct CounterOperation
{
    /// <summary>The full counter key, already namespaced by limit name (for example <c>login-ip|203.0.113.7</c>).</summary>
    public string Key;

    /// <summary>
    /// Set by the engine for the in-memory store, which keys counters by <see cref="CounterKeyHash"/> alone: the hash of
    /// the key's characters, so <see cref="Key"/> can stay null and the key is never made into a string. 0: not set,
    /// the store hashes <see cref="Key"/>. Stores that need the key's text (Redis) always get <see cref="Key"/>.
    /// </summary>
    internal ulong KeyHash;

    /// <summary>The counting algorithm.</summary>
    public LimitAlgorithm Algorithm;

    /// <summary>What to do with the counter.</summary>
    public CounterMode Mode;

    /// <summary>Permits per <see cref="PeriodTicks"/> (the rate), or the in-flight ceiling for concurrency.</summary>
    public long Permits;

    /// <summary>The period in <see cref="TimeSpan"/> ticks: the window length, or the refill period.</summary>
    public long PeriodTicks;

    /// <summary>Bucket capacity for token bucket and GCRA (at least 1). Ignored by the window algorithms.</summary>
    public long Burst;

    /// <summary>Permits this operation spends, checks or releases (at least 1 for Acquire; 0 allowed for Peek).</summary>
    public long Cost;

    /// <summary>
    /// Token bucket and GCRA only: when greater than zero and the request would be refused, it is instead admitted late
    /// if the wait is at most this many ticks. The permits are spent now (the bucket goes into debt), so each further
    /// request waits longer: a capped progressive delay. The result reports the wait in <see cref="CounterResult.DelayTicks"/>.
    /// </summary>
    public long MaxDelayTicks;
}
