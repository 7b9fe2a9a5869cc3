namespace Bulwark.Core.Challenges;

/// <summary>
/// What a challenge and a pass are bound to: the client's IP group (the actor's group: IPv4 /24, IPv6 at
/// <c>Ipv6Prefix</c>), its User-Agent and the site (the Host header). A token presented with another binding is invalid.
/// </summary>
/// <param name="IpGroup">The actor's IP group text, for example <c>203.0.113.0/24</c>.</param>
/// <param name="UserAgent">The User-Agent header, or empty.</param>
/// <param name="Site">The Host the request was sent to, lower case, or empty.</param>
public readonly record struct ChallengeBinding(string IpGroup, string UserAgent, string Site);
