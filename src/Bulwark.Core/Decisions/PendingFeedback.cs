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

    public PendingFeedback(PendingOperation[] operations, bool local, string? lockKey = null, ulong lockKeyHash = 0)
    {
        Operations = operations;
        Local = local;
        LockKey = lockKey;
        LockKeyHash = lockKeyHash;
    }

    /// <summary>With a login lockout count among the operations: the key of the lock it sets when reached (null when the store keys by hash).</summary>
    public string? LockKey { get; }

    /// <summary>With a login lockout count among the operations and a store keyed by hash: the lock's key hash, else 0.</summary>
    public ulong LockKeyHash { get; }

    /// <summary>True when the counters were taken in the local fallback store (the shared store was down): settle them there.</summary>
    public bool Local { get; }

    /// <summary>The operations to apply on feedback.</summary>
    public PendingOperation[] Operations { get; }

    /// <summary>True the first time only.</summary>
    public bool TrySettle() => Interlocked.Exchange(ref _settled, 1) == 0;
}

/// <summary>A Charge for a failure-counting limit (applied when the status is a failure for it), or a lease Release (always).</summary>
/// <param name="Operation">The counter operation, its mode already set.</param>
/// <param name="FailureLimit">For a Charge: the limit whose failure statuses decide. Null for a Release.</param>
internal readonly record struct PendingOperation(CounterOperation Operation, CompiledLimit? FailureLimit);
