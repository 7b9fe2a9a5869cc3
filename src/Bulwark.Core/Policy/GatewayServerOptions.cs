namespace Bulwark.Core.Policy;

/// <summary><c>Bulwark:Gateway:Server</c>: Kestrel's limits against oversized and slow clients.</summary>
public sealed record GatewayServerOptions
{
    /// <summary>Largest request body, in bytes; larger gets 413. Default 10485760 (10 MiB).</summary>
    public long MaxRequestBodyBytes { get; init; } = 10 * 1024 * 1024;

    /// <summary>Largest total size of the request line and headers (HTTP/1.1) or headers (HTTP/2), in bytes; then 431. Default 32768.</summary>
    public int MaxRequestHeadersTotalBytes { get; init; } = 32 * 1024;

    /// <summary>Most request headers; more gets 431. Default 100.</summary>
    public int MaxRequestHeaderCount { get; init; } = 100;

    /// <summary>How long a client may take to send the request headers, in seconds. Default 30.</summary>
    public int RequestHeadersTimeoutS { get; init; } = 30;

    /// <summary>How long an idle keep-alive client connection stays open, in seconds. Default 130.</summary>
    public int KeepAliveTimeoutS { get; init; } = 130;

    /// <summary>Slowest request body upload tolerated, in bytes per second, after <see cref="MinRequestBodyGraceS"/>; 0 turns it off. Default 240.</summary>
    public double MinRequestBodyBytesPerSecond { get; init; } = 240;

    /// <summary>Grace period before <see cref="MinRequestBodyBytesPerSecond"/> applies, in seconds (at least 2). Default 5.</summary>
    public int MinRequestBodyGraceS { get; init; } = 5;

    /// <summary>Open client connections at most; 0 means no limit. Default 0.</summary>
    public long MaxConcurrentConnections { get; init; }

    /// <summary>
    /// Run socket completions on the socket event threads instead of handing each to the thread pool (.NET's
    /// <c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1</c>, with one event thread per core): fewer thread hand-offs per
    /// proxied request. Read once when <c>bulwark serve</c> starts; an operator's own setting of that variable wins.
    /// Default true. Turn it off when code added to the gateway process blocks a thread while it waits (it would stall
    /// every connection on that event thread).
    /// </summary>
    public bool InlineSocketCompletions { get; init; } = true;
}
