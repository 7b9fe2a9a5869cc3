namespace Bulwark.Core.Policy;

/// <summary>One entry of <c>Bulwark:Gateway:Routes</c>: which requests go to which cluster.</summary>
public sealed record GatewayRouteOptions
{
    /// <summary>Host names (without port; <c>*.example.com</c> matches subdomains). Default: none, meaning any host.</summary>
    public IReadOnlyList<string> Hosts { get; init; } = [];

    /// <summary>Path prefix, matched on whole segments, case-insensitively (<c>/api</c> matches <c>/api</c> and <c>/api/x</c>, not <c>/apix</c>). Default <c>/</c>.</summary>
    public string PathPrefix { get; init; } = "/";

    /// <summary>The name of a cluster in <c>Gateway:Clusters</c>. Required.</summary>
    public string Cluster { get; init; } = "";
}
