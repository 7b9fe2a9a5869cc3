namespace Bulwark.Core.Policy;

/// <summary>
/// The whole configuration: the top-level <c>"Bulwark"</c> object of the JSON file (CONTRACTS.md §5). Immutable; a reload
/// builds a new one. Every default is the one documented in docs/configuration.md.
/// </summary>
public sealed record BulwarkOptions
{
    /// <summary><c>enforce</c> (default) or <c>monitor</c>: in monitor mode every decision is computed and logged, none is carried out.</summary>
    public string Mode { get; init; } = "enforce";

    /// <summary>CIDRs of proxies whose <c>X-Forwarded-For</c> / <c>Forwarded</c> headers are believed. Default: none.</summary>
    public IReadOnlyList<string> TrustedProxies { get; init; } = [];

    /// <summary>Prefix length that groups IPv6 clients into one actor. Default 64.</summary>
    public int Ipv6Prefix { get; init; } = 64;

    /// <summary>Where counters live.</summary>
    public StateOptions State { get; init; } = new();

    /// <summary>Allow and deny lists.</summary>
    public ListsOptions Lists { get; init; } = new();

    /// <summary>Where front doors find the API key, session and account of a request.</summary>
    public IdentityOptions Identity { get; init; } = new();

    /// <summary>How addresses and identities are masked in records that leave the process.</summary>
    public PrivacyOptions Privacy { get; init; } = new();

    /// <summary>IP intelligence database (a later issue fills this in).</summary>
    public IpIntelOptions IpIntel { get; init; } = new();

    /// <summary>Client identity: CDN fingerprint headers, denied fingerprints, catalogue and crawler list (see <see cref="FingerprintOptions"/>).</summary>
    public FingerprintOptions Fingerprints { get; init; } = new();
    /// <summary>Global bounds of behavioural detection: actor ceiling, velocity, honeypots, repeat offenders.</summary>
    public Bulwark.Core.Behavior.BehaviorOptions Behavior { get; init; } = new();

    /// <summary>The proof-of-work challenge and its pass cookie (docs/challenge.md).</summary>
    public Bulwark.Core.Challenges.ChallengeOptions Challenge { get; init; } = new();

    /// <summary>Routes, matched in order: the first whose methods and path match picks the policy.</summary>
    public IReadOnlyList<RouteOptions> Routes { get; init; } = [];

    /// <summary>Policies by name.</summary>
    public IReadOnlyDictionary<string, PolicyOptions> Policies { get; init; } = new Dictionary<string, PolicyOptions>();

    /// <summary>The gateway: upstream clusters, routes to them, backend protection, Kestrel limits (docs/gateway.md).</summary>
    public GatewayOptions Gateway { get; init; } = new();
    /// <summary>Validation of requests against an OpenAPI document (off by default; docs/schema.md).</summary>
    public Schema.SchemaOptions Schema { get; init; } = new();
}
