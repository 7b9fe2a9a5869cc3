namespace Bulwark.Core.Policy;

/// <summary>How records that leave the process mask identities.</summary>
public sealed record PrivacyOptions
{
    /// <summary>Prefix kept of IPv4 addresses in records (default 24).</summary>
    public int Ipv4MaskBits { get; init; } = 24;

    /// <summary>Prefix kept of IPv6 addresses in records (default 48).</summary>
    public int Ipv6MaskBits { get; init; } = 48;

    /// <summary>Key of the keyed hash that pseudonymises accounts and API keys. Null: a random key per process.</summary>
    public string? PseudonymKey { get; init; }
}
