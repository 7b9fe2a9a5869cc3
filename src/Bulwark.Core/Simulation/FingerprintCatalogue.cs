namespace Bulwark.Core.Simulation;

/// <summary>
/// The simulator's stand-in for the gateway's fingerprint catalogue until that exists: the handshakes of the JA4
/// fixtures (one entry per captured stream, so draws follow how often each was seen), classified by their JA4 prefix. A TLS 1.3 hello with SNI offering h2 or http/1.1 (<c>t13d…h2</c>,
/// <c>t13d…h1</c>) counts as a browser; the capture's server name says which browser (mozilla hosts → Firefox, the
/// rest of the captures are Chrome browsing). Anything else — no ALPN (<c>…00</c>), TLS 1.2 or older, a malformed ALPN
/// (<c>…99</c>) — counts as a library/tool client. Safari has no capture in the fixtures, so Safari users get no TLS
/// fingerprint rather than a wrong one.
/// </summary>
public sealed class FingerprintCatalogue
{
    /// <summary>Creates the catalogue from classified fingerprints.</summary>
    public FingerprintCatalogue(IReadOnlyList<Fingerprint> chromium, IReadOnlyList<Fingerprint> firefox, IReadOnlyList<Fingerprint> library)
    {
        if (chromium.Count == 0 || library.Count == 0)
        {
            throw new ArgumentException("the fingerprint catalogue needs at least one Chromium and one library fingerprint");
        }

        Chromium = chromium;
        Firefox = firefox;
        Library = library;
    }

    /// <summary>Chromium browser handshakes.</summary>
    public IReadOnlyList<Fingerprint> Chromium { get; }

    /// <summary>Firefox handshakes (may be empty).</summary>
    public IReadOnlyList<Fingerprint> Firefox { get; }

    /// <summary>Library and tool handshakes (HTTP client libraries, SDKs, scripts).</summary>
    public IReadOnlyList<Fingerprint> Library { get; }

    /// <summary>The handshake a browser of <paramref name="family"/> makes, or null when the catalogue has none for it.</summary>
    public Fingerprint? ForBrowser(BrowserFamily family, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        return family switch
        {
            BrowserFamily.Chromium => Chromium[random.Next(Chromium.Count)],
            BrowserFamily.Firefox when Firefox.Count > 0 => Firefox[random.Next(Firefox.Count)],
            _ => null,
        };
    }

    /// <summary>A library handshake.</summary>
    public Fingerprint NextLibrary(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        return Library[random.Next(Library.Count)];
    }

    /// <summary>Whether a JA4 value looks like a browser's (see the type's remarks).</summary>
    public static bool IsBrowserJa4(string ja4)
    {
        ArgumentNullException.ThrowIfNull(ja4);
        return ja4.Length >= 10 && ja4.StartsWith("t13d", StringComparison.Ordinal) && ja4.AsSpan(8, 2) is "h2" or "h1";
    }
}
