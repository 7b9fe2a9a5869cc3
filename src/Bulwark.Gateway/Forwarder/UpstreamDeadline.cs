using System.Diagnostics;
using Microsoft.Extensions.ObjectPool;

namespace Bulwark.Gateway.Forwarder;

/// <summary>
/// The token an upstream send runs under: cancelled when the client goes away or when the upstream has not sent its
/// response headers within the cluster's <c>RequestTimeoutMs</c>. Pooled with its <see cref="CancellationTokenSource"/>
/// (reset with <see cref="CancellationTokenSource.TryReset"/>, which keeps the source's timer), instead of a new linked
/// source and timer per request.
/// </summary>
/// <remarks>
/// A source goes back to the pool only if it was never cancelled and its deadline timer was stopped well before it was
/// due (less than half the timeout had passed): a timer that has begun to fire cannot be recalled, and its late
/// cancellation must never reach the next request that takes the source. Timers do not fire early, so a stop at half the
/// timeout is safe; slower exchanges simply drop their source. The client-abort registration is disposed first, which
/// waits for a running callback, so a late client abort cannot reach a reused source either.
/// </remarks>
internal sealed class UpstreamDeadline : IDisposable
{
    private static readonly ObjectPool<UpstreamDeadline> Pool = new DefaultObjectPool<UpstreamDeadline>(new Policy(), 1024);

    private readonly CancellationTokenSource _source = new();
    private CancellationTokenRegistration _clientAborted;
    private long _started;
    private TimeSpan _timeout;
    private bool _stopped;
    private bool _reusable;

    /// <summary>Cancelled by the client's abort or by the response-header deadline.</summary>
    public CancellationToken Token => _source.Token;

    /// <summary>Arms a pooled deadline of <paramref name="timeout"/> that also follows <paramref name="clientAborted"/>.</summary>
    public static UpstreamDeadline Start(CancellationToken clientAborted, TimeSpan timeout)
    {
        var deadline = Pool.Get();
        deadline._started = Stopwatch.GetTimestamp();
        deadline._timeout = timeout;
        deadline._stopped = false;
        deadline._reusable = false;
        deadline._source.CancelAfter(timeout);
        deadline._clientAborted = clientAborted.UnsafeRegister(static source => ((CancellationTokenSource)source!).Cancel(), deadline._source);
        return deadline;
    }

    /// <summary>Stops the deadline (it is for the response headers, not for streaming the body); the client's abort still cancels.</summary>
    public void StopTimer()
    {
        if (!_stopped)
        {
            _stopped = true;
            _reusable = Stopwatch.GetElapsedTime(_started) < _timeout / 2;
            _source.CancelAfter(Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Ends the exchange: back to the pool when that is safe (see the remarks), otherwise the source is disposed.</summary>
    public void Dispose()
    {
        _clientAborted.Dispose();
        _clientAborted = default;
        StopTimer();
        if (_reusable && _source.TryReset())
        {
            Pool.Return(this);
            return;
        }

        _source.Dispose(); // this object is not returned: the pool creates a fresh one when it runs short
    }

    private sealed class Policy : IPooledObjectPolicy<UpstreamDeadline>
    {
        public UpstreamDeadline Create() => new();

        public bool Return(UpstreamDeadline obj) => true;
    }
}
