using Bulwark.Core.Policy;

namespace Bulwark.Gateway.Protection;

/// <summary>
/// Per-cluster concurrency limit with a bounded queue and load shedding. At most <c>MaxConcurrency</c> requests are in
/// flight to the upstream; the next ones wait in a FIFO queue of <c>QueueLimit</c> places for up to <c>QueueTimeoutMs</c>.
/// While the upstream is saturated, a request of risk score <c>s</c> (the engine's decision score) may only queue while
/// fewer than <c>QueueLimit × (1 − s / ShedScore)</c> requests wait: as the queue fills, the riskiest requests are the first
/// refused, and one scoring <c>ShedScore</c> or more is refused as soon as there is no free slot.
/// </summary>
/// <remarks>
/// A free slot is taken with one compare-and-swap on the in-flight count and given back with one decrement; the lock and
/// the FIFO queue are touched only while the upstream is saturated. A newcomer takes a slot directly only while nobody
/// waits, so queued requests keep their turn. The hand-over is race-free because a waiter announces itself (the queued
/// count, interlocked) before it looks for a slot again, and a releaser frees its slot (interlocked) before it looks for
/// waiters: at least one of them sees the other.
/// </remarks>
internal sealed class UpstreamGuard : IDisposable
{
    private readonly int _maxConcurrency;
    private readonly int _queueLimit;
    private readonly int _shedScore;
    private readonly TimeSpan _queueTimeout;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly LinkedList<Waiter> _waiters = new(); // oldest first; guarded by _lock
    private int _inFlight;
    private int _queued; // _waiters.Count, readable without the lock
    private bool _disposed;

    public UpstreamGuard(GatewayClusterOptions options, TimeProvider time)
    {
        _time = time;
        _maxConcurrency = options.MaxConcurrency;
        _queueLimit = options.QueueLimit;
        _shedScore = options.ShedScore;
        _queueTimeout = TimeSpan.FromMilliseconds(options.QueueTimeoutMs);
    }

    /// <summary>Requests in flight to the upstream now.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Requests waiting for a slot now.</summary>
    public long Queued => Volatile.Read(ref _queued);

    /// <summary>How many queue places a request of risk score <paramref name="score"/> may see taken and still queue.</summary>
    public int QueuePlacesFor(int score)
    {
        if (_shedScore <= 0 || score <= 0)
        {
            return _queueLimit;
        }

        return score >= _shedScore ? 0 : (int)(_queueLimit * (1.0 - (double)score / _shedScore));
    }

    /// <summary>
    /// Waits for a slot. On <see cref="GuardOutcome.Admitted"/>, dispose the lease (once) when the upstream exchange ends;
    /// otherwise the lease is empty.
    /// </summary>
    public ValueTask<(GuardOutcome Outcome, GuardLease Lease)> AcquireAsync(int score, CancellationToken clientAborted)
    {
        if (_maxConcurrency <= 0)
        {
            Interlocked.Increment(ref _inFlight);
            return ValueTask.FromResult((GuardOutcome.Admitted, new GuardLease(this)));
        }

        return TryTakeSlot() ? ValueTask.FromResult((GuardOutcome.Admitted, new GuardLease(this))) : WaitForSlotAsync(score, clientAborted);
    }

    public void Dispose()
    {
        List<Waiter> refused;
        lock (_lock)
        {
            _disposed = true;
            refused = [.. _waiters];
            _waiters.Clear();
            Volatile.Write(ref _queued, 0);
        }

        refused.ForEach(static w => w.TrySetResult(GuardOutcome.QueueFull));
    }

    // Takes a free slot unless the upstream is saturated or others wait for their turn.
    private bool TryTakeSlot()
    {
        while (true)
        {
            var taken = Volatile.Read(ref _inFlight);
            if (taken >= _maxConcurrency || Volatile.Read(ref _queued) > 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _inFlight, taken + 1, taken) == taken)
            {
                return true;
            }
        }
    }

    private async ValueTask<(GuardOutcome Outcome, GuardLease Lease)> WaitForSlotAsync(int score, CancellationToken clientAborted)
    {
        var waiter = new Waiter(this, clientAborted);
        lock (_lock)
        {
            var places = QueuePlacesFor(score);
            if (_disposed)
            {
                return (GuardOutcome.QueueFull, default);
            }

            if (_waiters.Count >= places)
            {
                return (places < _queueLimit ? GuardOutcome.Shed : GuardOutcome.QueueFull, default);
            }

            waiter.Node = _waiters.AddLast(waiter);
            Interlocked.Increment(ref _queued);
        }

        HandOverSlots(); // a slot freed just before this request announced itself would otherwise go unnoticed
        using var timeout = new CancellationTokenSource(_queueTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(clientAborted, timeout.Token);
        GuardOutcome outcome;
        using (linked.Token.UnsafeRegister(static w => ((Waiter)w!).Abandon(), waiter))
        {
            outcome = await waiter.Task.ConfigureAwait(false);
        }

        return (outcome, outcome == GuardOutcome.Admitted ? new GuardLease(this) : default);
    }

    // Gives free slots to the oldest waiters.
    private void HandOverSlots()
    {
        lock (_lock)
        {
            while (_waiters.First is { } first)
            {
                var taken = Volatile.Read(ref _inFlight);
                if (taken >= _maxConcurrency)
                {
                    return;
                }

                if (Interlocked.CompareExchange(ref _inFlight, taken + 1, taken) != taken)
                {
                    continue; // a newcomer raced for the slot: look again
                }

                _waiters.RemoveFirst();
                Interlocked.Decrement(ref _queued);
                first.Value.TrySetResult(GuardOutcome.Admitted); // continuations run asynchronously, not under the lock
            }
        }
    }

    private void Release()
    {
        Interlocked.Decrement(ref _inFlight);
        if (Volatile.Read(ref _queued) > 0)
        {
            HandOverSlots();
        }
    }

    /// <summary>An admitted request's slot. A struct: dispose it exactly once (the default value holds no slot).</summary>
    internal readonly struct GuardLease(UpstreamGuard? owner) : IDisposable
    {
        public void Dispose() => owner?.Release();
    }

    // One queued request. Completed with Admitted when a slot is handed over, or by Abandon when its wait is cancelled.
    private sealed class Waiter(UpstreamGuard owner, CancellationToken clientAborted) : TaskCompletionSource<GuardOutcome>(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public LinkedListNode<Waiter>? Node { get; set; }

        public void Abandon()
        {
            lock (owner._lock)
            {
                if (Node?.List is null)
                {
                    return; // a slot was handed over first: the request is admitted after all
                }

                owner._waiters.Remove(Node);
                Interlocked.Decrement(ref owner._queued);
            }

            TrySetResult(clientAborted.IsCancellationRequested ? GuardOutcome.ClientGone : GuardOutcome.QueueTimeout);
        }
    }
}
