namespace Bulwark.Core.Policy;

/// <summary>One upstream cluster of <c>Bulwark:Gateway:Clusters</c>: its destinations, timeouts and protection.</summary>
public sealed record GatewayClusterOptions
{
    /// <summary>Base URLs of the upstream servers (<c>http://10.0.0.5:8080</c>), used in turn. Required, at least one.</summary>
    public IReadOnlyList<string> Destinations { get; init; } = [];

    /// <summary>How long a TCP (and TLS) connect to a destination may take, in milliseconds. Default 5000.</summary>
    public int ConnectTimeoutMs { get; init; } = 5_000;

    /// <summary>How long the upstream may take to send its response headers, in milliseconds; then 504. Default 30000.</summary>
    public int RequestTimeoutMs { get; init; } = 30_000;

    /// <summary>How long a pooled keep-alive connection may stay idle, in seconds. Default 60.</summary>
    public int PooledConnectionIdleTimeoutS { get; init; } = 60;

    /// <summary>Requests in flight to this cluster at most; 0 means no limit. Default 256.</summary>
    public int MaxConcurrency { get; init; } = 256;

    /// <summary>Requests that may wait for a free slot when <see cref="MaxConcurrency"/> is reached; more get 503. Default 512.</summary>
    public int QueueLimit { get; init; } = 512;

    /// <summary>How long a request may wait in the queue, in milliseconds; then 503. Default 5000.</summary>
    public int QueueTimeoutMs { get; init; } = 5_000;

    /// <summary>
    /// Load shedding while the cluster is saturated: a request of risk score <c>s</c> may only take a queue place while the
    /// queue holds fewer than <c>QueueLimit × (1 − s / ShedScore)</c> requests, so the riskiest are refused first and a
    /// request scoring <c>ShedScore</c> or more never waits. 0 turns shedding off. Default 50.
    /// </summary>
    public int ShedScore { get; init; } = 50;

    /// <summary>
    /// The HTTP version spoken to the destinations: <c>"1.1"</c> (default) or <c>"2"</c> — HTTP/2 only, with prior knowledge
    /// (h2c) on <c>http://</c> destinations and ALPN on <c>https://</c> ones. gRPC upstreams need <c>"2"</c>. WebSocket
    /// upgrades always go over HTTP/1.1.
    /// </summary>
    public string HttpVersion { get; init; } = "1.1";

    /// <summary>The circuit breaker in front of the cluster.</summary>
    public GatewayCircuitBreakerOptions CircuitBreaker { get; init; } = new();
}
