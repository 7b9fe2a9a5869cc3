namespace Bulwark.Gateway.Protection;

/// <summary>Why <see cref="UpstreamGuard"/> did or did not let a request through to its upstream.</summary>
internal enum GuardOutcome
{
    /// <summary>A slot was free or came free in time.</summary>
    Admitted,

    /// <summary>The upstream is saturated and this request's risk score is too high to wait (load shedding).</summary>
    Shed,

    /// <summary>The queue is full.</summary>
    QueueFull,

    /// <summary>The request waited <c>QueueTimeoutMs</c> without getting a slot.</summary>
    QueueTimeout,

    /// <summary>The client went away while waiting.</summary>
    ClientGone,
}
