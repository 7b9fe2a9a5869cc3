namespace Bulwark.Gateway.Forwarder;

/// <summary>How one proxied exchange ended (the <c>outcome</c> label of <c>bulwark.gateway.requests</c>).</summary>
internal enum ForwardOutcome
{
    /// <summary>The upstream answered and its answer was relayed whole.</summary>
    Proxied,

    /// <summary>The upstream could not be reached or broke the exchange: 502 (or a cut connection once the answer had started).</summary>
    UpstreamError,

    /// <summary>No response headers within <c>RequestTimeoutMs</c>: 504.</summary>
    UpstreamTimeout,

    /// <summary>The circuit breaker is open: 503.</summary>
    CircuitOpen,

    /// <summary>Refused by load shedding: 503.</summary>
    Shed,

    /// <summary>The cluster's queue was full or the wait timed out: 503.</summary>
    QueueFull,

    /// <summary>The client went away or sent a body Kestrel refused.</summary>
    ClientError,

    /// <summary>The cluster has no destination: 503.</summary>
    NoDestination,

    /// <summary>A WebSocket (or other HTTP/1.1 upgrade) was relayed until one side closed.</summary>
    Upgraded,
}
