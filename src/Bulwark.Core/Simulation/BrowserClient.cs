namespace Bulwark.Core.Simulation;

/// <summary>
/// A browser user: one User-Agent, its TLS fingerprint, one address and one session; builds requests with the headers
/// that browser family sends, in its order (page loads and fetch() calls differ). The orders follow what Chrome 13x,
/// Firefox 13x and Safari 18 send over HTTP/2, approximately: enough for header-order signals, not a byte-exact replica.
/// </summary>
public sealed class BrowserClient
{
    private const string Origin = "https://shop.example";
    private const string HtmlAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8";
    private readonly ScenarioContext _context;
    private readonly string _acceptLanguage;

    internal BrowserClient(ScenarioContext context, BrowserUserAgent userAgent, Fingerprint? tls, string ip, string session)
    {
        _context = context;
        UserAgent = userAgent;
        Tls = tls;
        Ip = ip;
        Session = session;
        var language = userAgent.Language;
        var primary = language.Split('-')[0];
        _acceptLanguage = primary == language ? language : $"{language},{primary};q=0.9";
    }

    /// <summary>The browser's User-Agent.</summary>
    public BrowserUserAgent UserAgent { get; }

    /// <summary>Its TLS fingerprint, null when the catalogue has none for its family.</summary>
    public Fingerprint? Tls { get; }

    /// <summary>The address it comes from.</summary>
    public string Ip { get; set; }

    /// <summary>Its session cookie value.</summary>
    public string Session { get; }

    /// <summary>The account it is logged in as, once it is.</summary>
    public string? Account { get; set; }

    /// <summary>The page the next request comes from, for <c>referer</c>.</summary>
    public string Referer { get; set; } = Origin + "/";

    /// <summary>A page load (navigation): <c>GET path</c> with document headers.</summary>
    public SimulatedRequest Page(DateTimeOffset at, string path, int status = 200)
    {
        var cookie = "session=" + Session;
        var ua = UserAgent.UserAgent;
        List<KeyValuePair<string, string>> headers = UserAgent.Family switch
        {
            BrowserFamily.Chromium =>
            [
                new("sec-ch-ua", UserAgent.ClientHintBrands), new("sec-ch-ua-mobile", UserAgent.Mobile ? "?1" : "?0"),
                new("sec-ch-ua-platform", UserAgent.Platform), new("upgrade-insecure-requests", "1"), new("user-agent", ua),
                new("accept", HtmlAccept), new("sec-fetch-site", "none"), new("sec-fetch-mode", "navigate"), new("sec-fetch-user", "?1"),
                new("sec-fetch-dest", "document"), new("accept-encoding", "gzip, deflate, br, zstd"), new("accept-language", _acceptLanguage),
                new("cookie", cookie), new("priority", "u=0, i"),
            ],
            BrowserFamily.Firefox =>
            [
                new("user-agent", ua), new("accept", HtmlAccept), new("accept-language", _acceptLanguage),
                new("accept-encoding", "gzip, deflate, br, zstd"), new("upgrade-insecure-requests", "1"), new("sec-fetch-dest", "document"),
                new("sec-fetch-mode", "navigate"), new("sec-fetch-site", "none"), new("sec-fetch-user", "?1"), new("priority", "u=0, i"),
                new("cookie", cookie),
            ],
            _ =>
            [
                new("accept", HtmlAccept), new("sec-fetch-site", "none"), new("cookie", cookie), new("sec-fetch-dest", "document"),
                new("accept-language", _acceptLanguage), new("sec-fetch-mode", "navigate"), new("user-agent", ua),
                new("accept-encoding", "gzip, deflate, br"),
            ],
        };
        Referer = Origin + path;
        return Build(at, "GET", path, null, headers, null, status, 8);
    }

    /// <summary>A fetch() call from the page to the API.</summary>
    public SimulatedRequest Api(DateTimeOffset at, string method, string path, string? query, IReadOnlyList<KeyValuePair<string, object>>? body, int status, string? account = null)
    {
        var cookie = "session=" + Session;
        var ua = UserAgent.UserAgent;
        var post = body is not null;
        var headers = new List<KeyValuePair<string, string>>(16);
        void Add(string name, string value) => headers.Add(new(name, value));
        switch (UserAgent.Family)
        {
            case BrowserFamily.Chromium:
                Add("sec-ch-ua-platform", UserAgent.Platform);
                Add("user-agent", ua);
                Add("sec-ch-ua", UserAgent.ClientHintBrands);
                if (post)
                {
                    Add("content-type", "application/json");
                }

                Add("sec-ch-ua-mobile", UserAgent.Mobile ? "?1" : "?0");
                Add("accept", "application/json");
                if (post)
                {
                    Add("origin", Origin);
                }

                Add("sec-fetch-site", "same-origin");
                Add("sec-fetch-mode", "cors");
                Add("sec-fetch-dest", "empty");
                Add("referer", Referer);
                Add("accept-encoding", "gzip, deflate, br, zstd");
                Add("accept-language", _acceptLanguage);
                Add("cookie", cookie);
                Add("priority", "u=1, i");
                break;
            case BrowserFamily.Firefox:
                Add("user-agent", ua);
                Add("accept", "application/json");
                Add("accept-language", _acceptLanguage);
                Add("accept-encoding", "gzip, deflate, br, zstd");
                Add("referer", Referer);
                if (post)
                {
                    Add("content-type", "application/json");
                    Add("origin", Origin);
                }

                Add("sec-fetch-dest", "empty");
                Add("sec-fetch-mode", "cors");
                Add("sec-fetch-site", "same-origin");
                Add("cookie", cookie);
                Add("priority", "u=4");
                break;
            default:
                Add("accept", "application/json");
                if (post)
                {
                    Add("content-type", "application/json");
                    Add("origin", Origin);
                }

                Add("sec-fetch-site", "same-origin");
                Add("cookie", cookie);
                Add("sec-fetch-dest", "empty");
                Add("accept-language", _acceptLanguage);
                Add("sec-fetch-mode", "cors");
                Add("user-agent", ua);
                Add("referer", Referer);
                Add("accept-encoding", "gzip, deflate, br");
                break;
        }

        return Build(at, method, path, query, headers, body, status, 25, account ?? Account);
    }

    private SimulatedRequest Build(DateTimeOffset at, string method, string path, string? query, List<KeyValuePair<string, string>> headers, IReadOnlyList<KeyValuePair<string, object>>? body, int status, double latency, string? account = null) => new()
    {
        Timestamp = ScenarioContext.Ms(at),
        Ip = Ip,
        Method = method,
        Path = path,
        Query = query,
        Headers = headers,
        Tls = Tls,
        Account = account,
        Session = Session,
        Body = body,
        Status = status,
        LatencyMs = _context.Latency(latency),
        Label = _context.Label,
    };
}
