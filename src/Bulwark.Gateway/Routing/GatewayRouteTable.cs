using Bulwark.Core.Policy;
using Bulwark.Gateway.Forwarder;

namespace Bulwark.Gateway.Routing;

/// <summary>
/// <c>Gateway:Routes</c> compiled: the first route whose hosts and path prefix match a request picks its cluster. Hosts
/// compare without port and case-insensitively; <c>*.example.com</c> matches any subdomain (not example.com itself); a
/// prefix matches on whole path segments.
/// </summary>
internal sealed class GatewayRouteTable : IDisposable
{
    private readonly (string[] Hosts, string Prefix, GatewayCluster Cluster)[] _routes;

    public GatewayRouteTable(GatewayOptions options, TimeProvider time)
    {
        Clusters = options.Clusters.ToDictionary(c => c.Key, c => new GatewayCluster(c.Key, c.Value, time), StringComparer.OrdinalIgnoreCase);
        _routes = options.Routes
            .Select(r => (r.Hosts.ToArray(), r.PathPrefix.Length > 1 ? r.PathPrefix.TrimEnd('/') : r.PathPrefix, Clusters[r.Cluster]))
            .ToArray();
    }

    /// <summary>The clusters by name.</summary>
    public IReadOnlyDictionary<string, GatewayCluster> Clusters { get; }

    /// <summary>The cluster for a request, or null when no route matches.</summary>
    public GatewayCluster? Match(string host, string path)
    {
        foreach (var (hosts, prefix, cluster) in _routes)
        {
            if ((hosts.Length == 0 || HostMatches(hosts, host)) && PrefixMatches(prefix, path))
            {
                return cluster;
            }
        }

        return null;
    }

    public void Dispose()
    {
        foreach (var cluster in Clusters.Values)
        {
            cluster.Dispose();
        }
    }

    internal static bool PrefixMatches(string prefix, string path)
    {
        if (prefix == "/")
        {
            return true;
        }

        return path.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && (path.Length == prefix.Length || path[prefix.Length] == '/');
    }

    private static bool HostMatches(string[] hosts, string host)
    {
        foreach (var pattern in hosts)
        {
            if (pattern.StartsWith("*.", StringComparison.Ordinal)
                ? host.Length > pattern.Length - 1 && host.EndsWith(pattern.AsSpan(1), StringComparison.OrdinalIgnoreCase)
                : host.Equals(pattern, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
