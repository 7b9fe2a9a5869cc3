namespace Bulwark.Core.Lists;

/// <summary>What a ban applies to.</summary>
public enum BanTarget
{
    /// <summary>A client address or network (<c>203.0.113.7</c>, <c>203.0.113.0/24</c>, <c>2001:db8::/48</c>).</summary>
    Ip,

    /// <summary>An API key, exact match.</summary>
    ApiKey,

    /// <summary>An account, matched case-insensitively.</summary>
    Account,

    /// <summary>A TLS fingerprint (JA4), exact match.</summary>
    Fingerprint,
}
