namespace Bulwark.Core.Behavior;

/// <summary>
/// Honeypot routes (<c>Bulwark:Behavior:Honeypot</c>): paths no real client has a reason to ask for. A hit raises the
/// <c>honeypot</c> signal and, in enforce mode, bans the client's IP group and fingerprint cluster.
/// </summary>
public sealed record HoneypotOptions
{
    /// <summary>Route patterns (the syntax of <c>Routes[].Path</c>); default none. They must also be covered by a route.</summary>
    public IReadOnlyList<string> Routes { get; init; } = [];

    /// <summary>Seconds the IP group (IPv4 address, IPv6 /64) is banned for a first hit (default 3600); repeat offences escalate.</summary>
    public int BanSeconds { get; init; } = 3_600;

    /// <summary>
    /// Seconds the fingerprint cluster (JA4 × header order × User-Agent family) is banned (default 600; 0: never). Browsers of
    /// one version share a cluster, so keep this short on routes that real browsers might stumble on.
    /// </summary>
    public int ClusterBanSeconds { get; init; } = 600;
}
