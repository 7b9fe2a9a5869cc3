namespace Bulwark.Core.Fingerprints;

/// <summary>
/// What one TLS connection's ClientHello says about its client, computed once per connection by
/// <see cref="TlsClientFingerprinter"/>: JA4, JA3 (MD5 and text), whether ALPN offered h2, and how many records the hello
/// spanned. A struct over one string, <see cref="Text"/> (<c>JA4 JA3 JA3-text</c>), so that fingerprinting a handshake
/// allocates that string and nothing else; the parts are spans into it. The default value is "no fingerprint".
/// </summary>
public readonly struct TlsClientFingerprint
{
    private readonly string? _text;
    private readonly int _ja4Length;

    internal TlsClientFingerprint(string text, int ja4Length, bool offeredH2, int recordCount, bool grease = false)
    {
        System.Diagnostics.Debug.Assert(text.Length >= ja4Length + 34 && text[ja4Length] == ' ' && text[ja4Length + 33] == ' ');
        _text = text;
        _ja4Length = ja4Length;
        OfferedH2 = offeredH2;
        RecordCount = recordCount;
        Grease = grease;
    }

    /// <summary>
    /// The three fingerprints in one string, space-separated: JA4, JA3 (MD5), JA3 text, for example
    /// <c>t13d1516h2_8daaf6152771_e5627efa2ab1 ce7b86965aaa85032ad3da178bf354d9 771,4865-…,0-23-…,29-23-24,0</c>.
    /// Empty for the default value.
    /// </summary>
    public string Text => _text ?? string.Empty;

    /// <summary>The JA4 fingerprint (<c>t13d1516h2_8daaf6152771_e5627efa2ab1</c>): a span of <see cref="Text"/>.</summary>
    public ReadOnlySpan<char> Ja4 => _text is null ? default : _text.AsSpan(0, _ja4Length);

    /// <summary>The JA3 fingerprint (lower-case hex MD5 of <see cref="Ja3Text"/>): a span of <see cref="Text"/>.</summary>
    public ReadOnlySpan<char> Ja3 => _text is null ? default : _text.AsSpan(_ja4Length + 1, 32);

    /// <summary>The JA3 string (<c>771,4865-…,0-23-…,29-23-24,0</c>, tshark's <c>ja3_full</c>): a span of <see cref="Text"/>.</summary>
    public ReadOnlySpan<char> Ja3Text => _text is null ? default : _text.AsSpan(_ja4Length + 34);

    /// <summary>True when the ALPN extension listed <c>h2</c>: the client would have spoken HTTP/2 had the server agreed.</summary>
    public bool OfferedH2 { get; }

    /// <summary>
    /// True when the hello carried GREASE values (RFC 8701) among its cipher suites or extensions, as every Chromium
    /// (BoringSSL) hello does; JA3 and JA4 leave them out, so this is the one trace of them.
    /// </summary>
    public bool Grease { get; }

    /// <summary>How many TLS records the hello spanned (1 for almost every client; 0 for the default value).</summary>
    public int RecordCount { get; }

    /// <summary>
    /// The engine's view: <see cref="TlsFingerprints"/> with JA4, JA3, the ALPN offer and the GREASE trace. It allocates that record and two
    /// strings: make it once per connection and keep it (the ASP.NET Core connection feature does), not once per request.
    /// </summary>
    public TlsFingerprints ToTlsFingerprints() => new(Ja4.ToString(), Ja3.ToString()) { OfferedH2 = OfferedH2, Grease = Grease };

    /// <inheritdoc cref="Text"/>
    public override string ToString() => Text;
}
