using Bulwark.Core.Pipeline;

namespace Bulwark.Core.Identity;

/// <summary>
/// Signals <c>ua_tls_traits_mismatch</c> (default weight 40) for a TLS fingerprint the catalogue does not know, when the
/// hello lacks what every hello of the claimed browser has. The catalogue names clients by exact JA4, and JA4s move with
/// the TLS library's version and the program's settings, so a python-requests built on another OpenSSL is simply unknown
/// there; what does not move is the browser's own TLS stack. Every Chromium-based browser (Chrome, Edge, Opera, Vivaldi,
/// Samsung Internet, Android WebView; not on iOS, where they run Apple's stack) hellos through BoringSSL with
/// <list type="bullet">
/// <item>the same fifteen cipher suites since Chrome 93 dropped 3DES: <c>1301 1302 1303 c02b c02f c02c c030 cca9 cca8
/// c013 c014 009c 009d 002f 0035</c>, JA4 cipher hash <see cref="ChromiumCipherHash"/> (in every Chromium capture of
/// FoxIO's JA4 reference pcaps and ours); with 3DES (<c>000a</c>) before that, <see cref="ChromiumCipherHashWith3Des"/>,
/// which is accepted too: a hello that old under a current User-Agent is odd, but it is Chromium's stack;</item>
/// <item>GREASE values (RFC 8701) among its cipher suites and extensions, since Chrome 55.</item>
/// </list>
/// A Chromium User-Agent (Chromium 100 or later, to leave old versions and their other lists alone) on a hello with
/// another cipher hash, or without GREASE when the hello itself was seen, is a program that set the header and not the
/// stack; a Firefox or Safari User-Agent on Chromium's exact cipher list with GREASE is a Chromium claiming another engine
/// (not Chrome or Edge on iOS: they run WebKit, but Chrome's own network stack, Cronet, may still make some requests).
/// The weight is below the default delay threshold (50) on purpose: a TLS-intercepting proxy (corporate gateways,
/// antivirus "HTTPS scanning") re-originates a real browser's connection with its own stack and looks the same, and such
/// a browser still sends every browser header, so the signal alone only scores; with the missing browser headers a
/// library claiming Chrome brings, it adds up to a challenge.
/// </summary>
public sealed class UaTlsTraitsDetector(ClientIdentity identity) : IDetector
{
    /// <summary>The signal name.</summary>
    public const string Signal = "ua_tls_traits_mismatch";

    /// <summary>The default weight.</summary>
    public const int DefaultWeight = 40;

    /// <summary>JA4's cipher hash (part b) of Chromium's fifteen cipher suites.</summary>
    public const string ChromiumCipherHash = "8daaf6152771";

    /// <summary>JA4's cipher hash of the same suites plus 3DES (<c>000a</c>), as Chromium sent them until version 92.</summary>
    public const string ChromiumCipherHashWith3Des = "46e7e9700bed";

    /// <summary>The Chromium major from which the traits are judged.</summary>
    public const int MinChromiumMajor = 100;

    // Chromium brands that ship Chromium's network stack unchanged. Yandex (GOST suites) and UC Browser (its own stack)
    // are left out.
    private static readonly HashSet<string> BoringSslBrands = new(["chrome", "edge", "opera", "vivaldi", "samsung"], StringComparer.Ordinal);

    /// <inheritdoc />
    public void Detect(RequestContext request, EvaluationContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);

        // TCP TLS only (a QUIC hello offers TLS 1.3 suites alone), with a JA4 whose cipher hash is there, and not in the
        // catalogue: a catalogued fingerprint is judged by ua_tls_mismatch, by name.
        if (request.Tls is not { Ja4: { Length: >= 24 } ja4 } tls || ja4[0] != 't' || ja4[10] != '_' || ja4[23] != '_')
        {
            return;
        }

        var userAgent = request.Headers["user-agent"];
        var ua = identity.UserAgents.Parse(userAgent);
        if (!ua.IsBrowser || identity.Family(request) is not null)
        {
            return;
        }

        var cipherHash = ja4.AsSpan(11, 12);
        var chromiumCiphers = cipherHash.SequenceEqual(ChromiumCipherHash) || cipherHash.SequenceEqual(ChromiumCipherHashWith3Des);
        if (ua.Engine == "chromium" && ua.Os != "ios" && ua.Family is { } family && BoringSslBrands.Contains(family))
        {
            var major = BrowserHeadersDetector.ChromeMajor(userAgent!) ?? (family is "chrome" or "edge" ? ua.Major : null);
            if (major is null or < MinChromiumMajor)
            {
                return;
            }

            var missing = (chromiumCiphers, tls.Grease) switch
            {
                (false, false) => $"cipher suites hash {cipherHash} (Chromium's is {ChromiumCipherHash}) and no GREASE",
                (false, _) => $"cipher suites hash {cipherHash} (Chromium's is {ChromiumCipherHash})",
                (true, false) => "no GREASE values, which Chromium puts in every hello",
                _ => null,
            };
            if (missing is not null)
            {
                context.AddSignal(Signal, DefaultWeight, $"User-Agent says {family} {major}, but the TLS hello (JA4 {ja4}, not catalogued) is not Chromium's: {missing}");
            }
        }
        else if (ua.Family is "firefox" or "safari" && chromiumCiphers && tls.Grease != false)
        {
            context.AddSignal(Signal, DefaultWeight, $"User-Agent says {ua.Family}{(ua.Major is { } m ? " " + m : "")} ({ua.Engine}), but the TLS hello (JA4 {ja4}, not catalogued) has Chromium's cipher suites ({ChromiumCipherHash})");
        }
    }
}
