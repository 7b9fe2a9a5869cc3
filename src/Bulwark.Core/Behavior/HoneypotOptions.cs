namespace Bulwark.Core.Behavior;

/// <summary>
/// Honeypot routes (<c>Bulwark:Behavior:Honeypot</c>): paths no real client has a reason to ask for. A hit raises the
/// <c>honeypot</c> signal and, in enforce mode, bans the client's IP group and fingerprint cluster.
/// </summary>
public sealed record HoneypotOptions
{
    /// <summary>Route patterns (the syntax of <c>Routes[].Path</c>); default none. They must also be covered by a route.</summary>
    public IReadOnlyList<string> Routes { get; init; } = [];

    /// <summary>
    /// Also treat the paths vulnerability scanners probe as honeypots (default false; the sample policy turns it on): the
    /// built-in list (Behavior/scanner-paths.json: <c>/.env</c>, <c>/.git/**</c>, <c>/wp-login.php</c> …) or
    /// <see cref="ScannerPathsFile"/>. Such paths are watched even where no route covers them. A configured route without a
    /// catch-all (<c>**</c>) that matches a path wins: the application serves it, so it is no honeypot.
    /// </summary>
    public bool ScannerPaths { get; init; }

    /// <summary>A file in the format of Behavior/scanner-paths.json that replaces the built-in list (default none).</summary>
    public string ScannerPathsFile { get; init; } = "";

    /// <summary>Route patterns that are never scanner honeypots, whatever the list says (default none), like <c>/wp-admin/**</c> for a WordPress site.</summary>
    public IReadOnlyList<string> NotHoneypots { get; init; } = [];

    /// <summary>Seconds the IP group (IPv4 address, IPv6 /64) is banned for a first hit (default 3600); repeat offences escalate.</summary>
    public int BanSeconds { get; init; } = 3_600;

    /// <summary>
    /// Seconds the fingerprint cluster (JA4 × header order × User-Agent family) is banned (default 600; 0: never). Browsers of
    /// one version share a cluster, so keep this short on routes that real browsers might stumble on.
    /// </summary>
    public int ClusterBanSeconds { get; init; } = 600;
}
