namespace Bulwark.Core.Limits;

/// <summary>One dimension a limit can count by.</summary>
public enum KeyPartKind : byte
{
    /// <summary>The client address; IPv6 grouped by the configured prefix (default /64).</summary>
    Ip,

    /// <summary>The client's network: IPv4 /N (default 24), IPv6 /48.</summary>
    Subnet,

    /// <summary>The autonomous system (needs IP intelligence).</summary>
    Asn,

    /// <summary>The API key.</summary>
    ApiKey,

    /// <summary>The account.</summary>
    Account,

    /// <summary>The session.</summary>
    Session,

    /// <summary>The TLS fingerprint: JA4, else JA3.</summary>
    Fingerprint,

    /// <summary>The matched route (its pattern, not the concrete path).</summary>
    Route,

    /// <summary>The value of a request header.</summary>
    Header,

    /// <summary>A top-level field of the JSON body (for example a phone number).</summary>
    BodyField,

    /// <summary>One counter for everyone.</summary>
    Global,
}
