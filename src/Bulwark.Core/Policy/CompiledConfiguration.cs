using System.Collections.Frozen;
using Bulwark.Core.Lists;
using Bulwark.Core.Net;
using Bulwark.Core.Schema;

namespace Bulwark.Core.Policy;

/// <summary>
/// A validated configuration compiled for the request path: route table, policies, lists, proxy trust. Immutable; a
/// reload swaps in a new instance atomically.
/// </summary>
public sealed class CompiledConfiguration
{
    private readonly CompiledRoute[] _routes;

    private CompiledConfiguration(BulwarkOptions options)
    {
        Options = options;
        Monitor = options.Mode == "monitor";
        Ipv6Prefix = options.Ipv6Prefix;
        ProxyResolver = new TrustedProxyResolver(IpNetworkSet.Parse(options.TrustedProxies));
        AllowList = AccessList.Create(options.Lists.Allow);
        DenyList = AccessList.Create(options.Lists.Deny);
        Policies = options.Policies.ToFrozenDictionary(p => p.Key, p => new CompiledPolicy(p.Key, p.Value, Monitor), StringComparer.Ordinal);
        _routes = new CompiledRoute[options.Routes.Count];
        for (var i = 0; i < _routes.Length; i++)
        {
            var route = options.Routes[i];
            var methods = route.Methods.Select(m => m.ToUpperInvariant()).ToArray();
            _routes[i] = new CompiledRoute(route.Name ?? route.Path, methods, RoutePattern.Parse(route.Path), Policies[route.Policy], route.Cost)
            {
                CostMicroUsd = Bulwark.Core.Protections.Money.ToMicros(route.CostUsd),
            };
        }

        Schema = CompiledSchemaValidation.Create(options.Schema);
        UncoveredListPolicy = new CompiledPolicy(UncoveredPolicyName, new PolicyOptions(), Monitor);
        if (options.Behavior.Enabled && Bulwark.Core.Behavior.ScannerPathList.For(options.Behavior.Honeypot) is { } scanner)
        {
            ScannerPaths = scanner;
            ScannerPolicy = Policies.GetValueOrDefault(ScannerPolicyName) ?? new CompiledPolicy(ScannerPolicyName, new PolicyOptions(), Monitor);
        }
    }

    /// <summary>The name of the built-in policy a denied or banned client is refused under on a path no route covers.</summary>
    public const string UncoveredPolicyName = "uncovered";

    /// <summary>The built-in policy a denied or banned client is refused under on a path no route covers.</summary>
    public CompiledPolicy UncoveredListPolicy { get; }

    /// <summary>
    /// The policy that watches scanner paths no route covers: the configuration's policy of this name when there is one,
    /// else built-in defaults (no limits, the default thresholds).
    /// </summary>
    public const string ScannerPolicyName = "honeypot";

    /// <summary>The scanner paths treated as honeypots (<c>Behavior:Honeypot:ScannerPaths</c>), or null when off.</summary>
    public Bulwark.Core.Behavior.ScannerPathList? ScannerPaths { get; }

    /// <summary>The policy scanner paths no route covers are decided under, or null when scanner paths are off.</summary>
    public CompiledPolicy? ScannerPolicy { get; }

    /// <summary>The options this was compiled from.</summary>
    public BulwarkOptions Options { get; }

    /// <summary>Whether the whole configuration is in monitor mode.</summary>
    public bool Monitor { get; }

    /// <summary>Prefix length that groups IPv6 clients.</summary>
    public int Ipv6Prefix { get; }

    /// <summary>Resolves the client address from forwarding headers of trusted proxies.</summary>
    public TrustedProxyResolver ProxyResolver { get; }

    /// <summary>Clients never refused.</summary>
    public AccessList AllowList { get; }

    /// <summary>Clients always refused.</summary>
    public AccessList DenyList { get; }

    /// <summary>Policies by name.</summary>
    public FrozenDictionary<string, CompiledPolicy> Policies { get; }

    /// <summary>The OpenAPI document requests are validated against, or null when <c>Schema:Document</c> is not set.</summary>
    public CompiledSchemaValidation? Schema { get; }

    /// <summary>Routes in match order.</summary>
    public IReadOnlyList<CompiledRoute> Routes => _routes;

    /// <summary>Compiles validated options. Throws <see cref="FormatException"/> on a value validation would have refused.</summary>
    public static CompiledConfiguration Compile(BulwarkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new CompiledConfiguration(options);
    }

    /// <summary>
    /// The policy for a request no route covers: <see cref="ScannerPolicy"/> when its path is on the scanner list, else
    /// null (not covered). Scanners probe paths outside an API's routes, so these must be watched all the same.
    /// </summary>
    public CompiledPolicy? UncoveredPolicy(ReadOnlySpan<char> path) =>
        ScannerPaths is { } list && list.IsMatch(path, out _) ? ScannerPolicy : null;

    /// <summary>The first route that matches <paramref name="method"/> and <paramref name="path"/>, or null.</summary>
    public CompiledRoute? MatchRoute(string method, ReadOnlySpan<char> path)
    {
        foreach (var route in _routes)
        {
            if (route.IsMatch(method, path))
            {
                return route;
            }
        }

        return null;
    }
}
