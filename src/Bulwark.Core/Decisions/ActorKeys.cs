namespace Bulwark.Core.Decisions;

/// <summary>The identities a request was counted under. IPv6 addresses are already grouped by the configured prefix.</summary>
public sealed record ActorKeys
{
    /// <summary>The client address group: an IPv4 address, or an IPv6 network such as <c>2001:db8:1:2::/64</c>.</summary>
    public string? Ip { get; init; }

    /// <summary>The API key presented, if any (in clear inside the process; records pseudonymise it).</summary>
    public string? ApiKey { get; init; }

    /// <summary>The account the request acts for, if known.</summary>
    public string? Account { get; init; }

    /// <summary>The session identifier, if any.</summary>
    public string? Session { get; init; }

    /// <summary>The JA4 TLS fingerprint, if known.</summary>
    public string? Ja4 { get; init; }

    /// <summary>The autonomous system number, once IP intelligence knows it.</summary>
    public long? Asn { get; init; }
}
