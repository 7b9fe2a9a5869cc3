using System.Globalization;
using Bulwark.Core.Pipeline;

namespace Bulwark.Core.Identity;

/// <summary>
/// Checks a browser User-Agent against the headers and protocol that browser always produces. Signals:
/// <list type="bullet">
/// <item><c>browser_headers_missing</c> (25): no <c>Accept-Language</c>; over TLS also no <c>Sec-Fetch-Site/Mode/Dest</c>
/// (Chromium ≥ 76, Firefox ≥ 90, Safari ≥ 17) or no <c>sec-ch-ua</c> (Chromium ≥ 89). Browsers send these two only to
/// secure origins, so without TLS only Accept-Language is checked.</item>
/// <item><c>client_hints_mismatch</c> (30): <c>sec-ch-ua</c> names another Chromium version than the User-Agent, or comes
/// from a client whose User-Agent says Firefox or Safari (which send none), or <c>sec-ch-ua-mobile</c> contradicts the device.</item>
/// <item><c>header_order_mismatch</c> (20): headers in an order the claimed browser never uses (only when the order is the
/// client's: HTTP/1.1 read from the wire, not Kestrel's HTTP/2 order).</item>
/// <item><c>browser_without_h2</c> (20): a browser that has offered h2 in ALPN for a decade (Chromium/Firefox ≥ 60, Safari
/// ≥ 11) sent a ClientHello without it (seen directly, or a JA4 saying the hello had no ALPN at all, when only the JA4 is known);
/// whether the server then chose HTTP/1.1 is the server's business and is not held against the client.</item>
/// <item><c>browser_without_tls13</c> (20): the JA4 of a browser that has spoken TLS 1.3 for years (Chromium ≥ 70, Firefox
/// ≥ 63, Safari ≥ 13) says TLS 1.2 or older.</item>
/// </list>
/// </summary>
public sealed class BrowserHeadersDetector(ClientIdentity identity) : IDetector
{
    /// <summary>Signal: headers the claimed browser always sends are missing.</summary>
    public const string MissingSignal = "browser_headers_missing";

    /// <summary>Signal: client hints contradict the User-Agent.</summary>
    public const string HintsSignal = "client_hints_mismatch";

    /// <summary>Signal: header order unlike the claimed browser.</summary>
    public const string OrderSignal = "header_order_mismatch";

    /// <summary>Signal: a modern browser's ClientHello without h2 in ALPN.</summary>
    public const string NoH2Signal = "browser_without_h2";

    /// <summary>Signal: a browser that has spoken TLS 1.3 for years offered at most TLS 1.2 (read from the JA4).</summary>
    public const string NoTls13Signal = "browser_without_tls13";

    /// <inheritdoc />
    public void Detect(RequestContext request, EvaluationContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var headers = request.Headers;
        var userAgent = headers["user-agent"];
        var ua = identity.UserAgents.Parse(userAgent);
        if (!ua.IsBrowser)
        {
            return;
        }

        var major = ua.Major ?? 0;
        var chromium = ua.Engine == "chromium";
        var secure = request.Tls is not null;
        List<string>? missing = null; // allocated only when something is missing
        if (headers["accept-language"] is null)
        {
            (missing ??= new List<string>(3)).Add("Accept-Language");
        }

        var sendsFetchMetadata = (chromium && major >= 76) || (ua.Family == "firefox" && major >= 90) || (ua.Family == "safari" && major >= 17);
        if (secure && sendsFetchMetadata && headers["sec-fetch-mode"] is null && headers["sec-fetch-site"] is null && headers["sec-fetch-dest"] is null)
        {
            (missing ??= new List<string>(3)).Add("Sec-Fetch-*");
        }

        var hints = headers["sec-ch-ua"];
        if (secure && chromium && major >= 89 && hints is null)
        {
            (missing ??= new List<string>(3)).Add("sec-ch-ua");
        }

        if (missing is not null)
        {
            context.AddSignal(MissingSignal, 25, $"User-Agent says {ua.Family} {major} but {string.Join(", ", missing)} {(missing.Count == 1 ? "is" : "are")} missing");
        }

        if (hints is not null && HintsContradiction(ua, userAgent!, hints, headers["sec-ch-ua-mobile"]) is { } contradiction)
        {
            context.AddSignal(HintsSignal, 30, contradiction);
        }

        if (headers.InClientOrder && OrderContradiction(ua, headers) is { } order)
        {
            context.AddSignal(OrderSignal, 20, order);
        }

        var offersH2 = (chromium && major >= 60) || (ua.Family == "firefox" && major >= 60) || (ua.Family == "safari" && major >= 11);
        if (request.Tls?.OfferedH2 == false && offersH2)
        {
            context.AddSignal(NoH2Signal, 20, $"User-Agent says {ua.Family} {major}, whose TLS always offers h2, but the ClientHello's ALPN did not");
        }
        else if (request.Tls is { OfferedH2: null, Ja4: { Length: >= 10 } ja4 })
        {
            // Only the JA4 travelled (replay, a TLS terminator in front): its a-part still says the version and first ALPN.
            var alpn = ja4.AsSpan(8, 2);
            // Only a hello with no ALPN at all: Chrome's WebSocket connections offer http/1.1 alone (JA4 "h1").
            if (offersH2 && ja4[0] == 't' && alpn is "00")
            {
                context.AddSignal(NoH2Signal, 20, $"User-Agent says {ua.Family} {major}, whose TLS always offers ALPN (h2), but the JA4 {ja4[..10]} says the hello had none");
            }

            var version = ja4.AsSpan(1, 2);
            var tls13 = (chromium && major >= 70) || (ua.Family == "firefox" && major >= 63) || (ua.Family == "safari" && major >= 13);
            if (tls13 && ja4[0] == 't' && version is "12" or "11" or "10" or "s3" or "s2")
            {
                context.AddSignal(NoTls13Signal, 20, $"User-Agent says {ua.Family} {major}, which speaks TLS 1.3, but the JA4 {ja4[..10]} says TLS {version}");
            }
        }
    }

    private static string? HintsContradiction(UserAgentInfo ua, string userAgent, string hints, string? mobile)
    {
        if (ua.Engine != "chromium")
        {
            return $"sec-ch-ua sent by a client whose User-Agent says {ua.Family} (only Chromium sends client hints)";
        }

        var chromeMajor = ChromeMajor(userAgent);
        var hinted = HintedChromiumMajor(hints);
        if (chromeMajor is { } claimed && hinted is { } version && claimed != version)
        {
            return $"User-Agent says Chrome/{claimed}, sec-ch-ua says Chromium {version}";
        }

        if (mobile is "?1" && ua.Device == "desktop")
        {
            return "sec-ch-ua-mobile says mobile, the User-Agent a desktop";
        }

        return mobile is "?0" && ua.Device == "mobile" ? "sec-ch-ua-mobile says not mobile, the User-Agent a phone" : null;
    }

    private static string? OrderContradiction(UserAgentInfo ua, HeaderList headers)
    {
        var encoding = Position(headers, "accept-encoding");
        var language = Position(headers, "accept-language");
        // Only orders that hold for every request a browser makes. Chromium's client hints are no such thing: a navigation
        // sends sec-ch-ua before User-Agent, a fetch() sends sec-ch-ua-platform, User-Agent, then sec-ch-ua (Debian's
        // Chromium 156, both captured), and older versions put sec-ch-ua-platform after User-Agent.
        if (ua.Engine == "chromium")
        {
            if (encoding >= 0 && language >= 0 && language < encoding)
            {
                return "Accept-Language before Accept-Encoding: Chromium sends Accept-Encoding first";
            }
        }
        else if (ua.Engine == "gecko" && encoding >= 0 && language >= 0 && encoding < language)
        {
            return "Accept-Encoding before Accept-Language: Firefox sends Accept-Language first";
        }

        return null;
    }

    private static int Position(HeaderList headers, string name)
    {
        var span = headers.AsSpan();
        for (var i = 0; i < span.Length; i++)
        {
            if (string.Equals(span[i].Key, name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }

    internal static int? ChromeMajor(string userAgent)
    {
        var at = userAgent.IndexOf("Chrome/", StringComparison.Ordinal);
        return at < 0 ? null : LeadingNumber(userAgent.AsSpan(at + 7));
    }

    /// <summary>The version of the <c>"Chromium"</c> brand in <c>sec-ch-ua</c> (<c>"Chromium";v="120", …</c>).</summary>
    private static int? HintedChromiumMajor(string hints)
    {
        var at = hints.IndexOf("\"Chromium\";v=\"", StringComparison.Ordinal);
        return at < 0 ? null : LeadingNumber(hints.AsSpan(at + 14));
    }

    private static int? LeadingNumber(ReadOnlySpan<char> text)
    {
        var end = 0;
        while (end < text.Length && end < 6 && char.IsAsciiDigit(text[end]))
        {
            end++;
        }

        return end == 0 ? null : int.Parse(text[..end], NumberStyles.None, CultureInfo.InvariantCulture);
    }
}
