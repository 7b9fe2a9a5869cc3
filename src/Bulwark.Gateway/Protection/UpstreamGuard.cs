using System.Threading.RateLimiting;
using Bulwark.Core.Policy;

namespace Bulwark.Gateway.Protection;

/// <summary>
/// Per-cluster concurrency limit with a bounded queue and load shedding. At most <c>MaxConcurrency</c> requests are in
/// flight to the upstream; the next ones wait in a FIFO queue of <c>QueueLimit</c> places for up to <c>QueueTimeoutMs</c>.
/// While the upstream is saturated, a request of risk score <c>s</c> (the engine's decision score) may only queue while
/// fewer than <c>QueueLimit × (1 − s / ShedScore)</c> requests wait: as the queue fills, the riskiest requests are the first
/// refused, and one scoring <c>ShedScore</c> or more is refused as soon as there is no free slot.
/// </summary>
internal sealed class UpstreamGuard : IDisposable
{
    private readonly ConcurrencyLimiter? _limiter;
    private readonly int _queueLimit;
    private readonly int _shedScore;
    private readonly TimeSpan _queueTimeout;
    private readonly TimeProvider _time;
    private int _inFlight;

    public UpstreamGuard(GatewayClusterOptions options, TimeProvider time)
    {
        _time = time;
        _queueLimit = options.QueueLimit;
        _shedScore = options.ShedScore;
        _queueTimeout = TimeSpan.FromMilliseconds(options.QueueTimeoutMs);
        if (options.MaxConcurrency > 0)
        {
            _limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
            {
                PermitLimit = options.MaxConcurrency,
                QueueLimit = options.QueueLimit,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            });
        }
    }

    /// <summary>Requests in flight to the upstream now.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Requests waiting for a slot now.</summary>
    public long Queued => _limiter?.GetStatistics()?.CurrentQueuedCount ?? 0;

    /// <summary>How many queue places a request of risk score <paramref name="score"/> may see taken and still queue.</summary>
    public int QueuePlacesFor(int score)
    {
        if (_shedScore <= 0 || score <= 0)
        {
            return _queueLimit;
        }

        return score >= _shedScore ? 0 : (int)(_queueLimit * (1.0 - (double)score / _shedScore));
    }

    /// <summary>Waits for a slot. On <see cref="GuardOutcome.Admitted"/>, dispose the lease when the upstream exchange ends.</summary>
    public async ValueTask<(GuardOutcome Outcome, IDisposable? Lease)> AcquireAsync(int score, CancellationToken clientAborted)
    {
        if (_limiter is null)
        {
            return (GuardOutcome.Admitted, Track(null));
        }

        var lease = _limiter.AttemptAcquire(1);
        if (lease.IsAcquired)
        {
            return (GuardOutcome.Admitted, Track(lease));
        }

        lease.Dispose();
        var places = QueuePlacesFor(score);
        if (Queued >= places)
        {
            return (places < _queueLimit ? GuardOutcome.Shed : GuardOutcome.QueueFull, null);
        }

        using var timeout = new CancellationTokenSource(_queueTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(clientAborted, timeout.Token);
        try
        {
            lease = await _limiter.AcquireAsync(1, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return (clientAborted.IsCancellationRequested ? GuardOutcome.ClientGone : GuardOutcome.QueueTimeout, null);
        }

        if (!lease.IsAcquired)
        {
            lease.Dispose();
            return (GuardOutcome.QueueFull, null);
        }

        return (GuardOutcome.Admitted, Track(lease));
    }

    public void Dispose() => _limiter?.Dispose();

    private Lease Track(RateLimitLease? lease)
    {
        Interlocked.Increment(ref _inFlight);
        return new Lease(this, lease);
    }

    private sealed class Lease(UpstreamGuard owner, RateLimitLease? inner) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                Interlocked.Decrement(ref owner._inFlight);
                inner?.Dispose();
            }
        }
    }
}
