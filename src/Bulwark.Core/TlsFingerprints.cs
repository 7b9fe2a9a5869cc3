namespace Bulwark.Core;

/// <summary>TLS client fingerprints of a connection.</summary>
/// <param name="Ja4">JA4 fingerprint (for example <c>t13d1516h2_8daaf6152771_e5627efa2ab1</c>).</param>
/// <param name="Ja3">JA3 MD5 hash.</param>
public sealed record TlsFingerprints(string? Ja4, string? Ja3)
{
    /// <summary>True when the client's ALPN offered <c>h2</c> (null when unknown, for example behind a CDN or in replay).</summary>
    public bool? OfferedH2 { get; init; }

    /// <summary>
    /// True when the hello carried GREASE values among its cipher suites or extensions (every Chromium hello does), false
    /// when it carried none; null when unknown (only the JA4 or JA3 travelled: a CDN's headers, replay).
    /// </summary>
    public bool? Grease { get; init; }
}
