using System.Net;
using Bulwark.Core.Policy;
using Bulwark.Gateway.Protection;

namespace Bulwark.Gateway.Forwarder;

/// <summary>
/// One upstream cluster at run time: its destinations (taken in turn), one pooled <see cref="HttpMessageInvoker"/> over a
/// <see cref="SocketsHttpHandler"/> (keep-alive connections are reused across requests), the concurrency guard and the
/// Polly circuit breaker.
/// </summary>
/// <remarks>
/// YARP (Microsoft.ReverseProxy) is not available to this build, so forwarding is done here on SocketsHttpHandler the way
/// YARP's HttpForwarder does it; <see cref="HttpForwarder"/> is the one place to swap YARP's IHttpForwarder in.
/// </remarks>
internal sealed class GatewayCluster : IDisposable
{
    private volatile Uri[] _destinations;
    private int _next;

    public GatewayCluster(string name, GatewayClusterOptions options, TimeProvider time)
    {
        Name = name;
        Options = options;
        _destinations = options.Destinations.Select(d => new Uri(d, UriKind.Absolute)).ToArray();
        RequestTimeout = TimeSpan.FromMilliseconds(options.RequestTimeoutMs);
        Invoker = new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            EnableMultipleHttp2Connections = true,
            ActivityHeadersPropagator = null,
            ConnectTimeout = TimeSpan.FromMilliseconds(options.ConnectTimeoutMs),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(options.PooledConnectionIdleTimeoutS),
            // The upstream's certificate is checked as usual; a private CA goes in the system store.
        }, disposeHandler: true);
        Guard = new UpstreamGuard(options, time);
        Breaker = options.CircuitBreaker.Enabled ? new UpstreamCircuitBreaker(options.CircuitBreaker, time) : null;
    }

    public string Name { get; }

    public GatewayClusterOptions Options { get; }

    public TimeSpan RequestTimeout { get; }

    public HttpMessageInvoker Invoker { get; }

    public UpstreamGuard Guard { get; }

    /// <summary>The circuit breaker, null when it is off. Counts connection errors, timeouts and 502/503/504 as failures.</summary>
    public UpstreamCircuitBreaker? Breaker { get; }

    /// <summary>Whether any destination is known.</summary>
    public bool HasDestinations => _destinations.Length > 0;

    /// <summary>Replaces the destinations (the demo learns its bundled upstream's port only once it listens).</summary>
    public void SetDestinations(IEnumerable<Uri> destinations) => _destinations = destinations.ToArray();

    /// <summary>The next destination, round robin; null when there is none.</summary>
    public Uri? NextDestination()
    {
        var destinations = _destinations;
        if (destinations.Length == 0)
        {
            return null;
        }

        var index = (uint)Interlocked.Increment(ref _next) % (uint)destinations.Length;
        return destinations[index];
    }

    public void Dispose()
    {
        Invoker.Dispose();
        Guard.Dispose();
    }
}
