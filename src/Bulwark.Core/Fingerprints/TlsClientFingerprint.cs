namespace Bulwark.Core.Fingerprints;

/// <summary>
/// What one TLS connection's ClientHello says about its client, computed once per connection by
/// <see cref="TlsClientFingerprinter"/>: JA3 (text and MD5), JA4, whether ALPN offered h2, and how many records the hello
/// spanned.
/// </summary>
public sealed class TlsClientFingerprint
{
    /// <summary>The JA3 fingerprint (lower-case hex MD5 of <see cref="Ja3Text"/>).</summary>
    public required string Ja3 { get; init; }

    /// <summary>The JA3 string (<c>771,4865-…,0-23-…,29-23-24,0</c>).</summary>
    public required string Ja3Text { get; init; }

    /// <summary>The JA4 fingerprint (<c>t13d1516h2_8daaf6152771_e5627efa2ab1</c>).</summary>
    public required string Ja4 { get; init; }

    /// <summary>True when the ALPN extension listed <c>h2</c>: the client would have spoken HTTP/2 had the server agreed.</summary>
    public bool OfferedH2 { get; init; }

    /// <summary>How many TLS records the hello spanned (1 for almost every client).</summary>
    public int RecordCount { get; init; } = 1;

    /// <summary>The engine's view: <see cref="TlsFingerprints"/> with JA4, JA3 and the ALPN offer.</summary>
    public TlsFingerprints ToTlsFingerprints() => new(Ja4, Ja3) { OfferedH2 = OfferedH2 };
}
