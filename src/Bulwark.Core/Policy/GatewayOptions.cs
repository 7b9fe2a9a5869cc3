namespace Bulwark.Core.Policy;

/// <summary>
/// <c>Bulwark:Gateway</c>: what <c>bulwark serve</c> proxies to and how it protects the upstreams. Default: no clusters and
/// no routes (the gateway then answers only its own <c>/.bulwark/</c> endpoints; the demo adds its bundled upstream).
/// </summary>
public sealed record GatewayOptions
{
    /// <summary>Upstream clusters by name. Default: none.</summary>
    public IReadOnlyDictionary<string, GatewayClusterOptions> Clusters { get; init; } = new Dictionary<string, GatewayClusterOptions>();

    /// <summary>Routes, matched in order: the first whose hosts and path prefix match picks the cluster. Default: none.</summary>
    public IReadOnlyList<GatewayRouteOptions> Routes { get; init; } = [];

    /// <summary>Kestrel limits against big and slow clients.</summary>
    public GatewayServerOptions Server { get; init; } = new();

    /// <summary>The certificate for https URLs. Default: none (the demo makes a self-signed one).</summary>
    public GatewayTlsOptions Tls { get; init; } = new();

    /// <summary>Serve <c>GET /.bulwark/decide</c> for nginx <c>auth_request</c> / Caddy <c>forward_auth</c>. Default true.</summary>
    public bool DecisionEndpoint { get; init; } = true;

    /// <summary>The admin API (off until a token is configured).</summary>
    public GatewayAdminOptions Admin { get; init; } = new();
}
