namespace Bulwark.Core.Simulation;

/// <summary>
/// A scripted client (an HTTP library such as python-requests, Go's net/http, okhttp): a library TLS fingerprint and the
/// library's short header set in its order, whatever User-Agent it claims.
/// </summary>
public sealed class ScriptClient
{
    private readonly ScenarioContext _context;

    internal ScriptClient(ScenarioContext context, string userAgent, Fingerprint? tls)
    {
        _context = context;
        UserAgent = userAgent;
        Tls = tls;
    }

    /// <summary>The User-Agent it sends (may be changed per request, as rotating scrapers do).</summary>
    public string UserAgent { get; set; }

    /// <summary>Its TLS fingerprint.</summary>
    public Fingerprint? Tls { get; }

    /// <summary>Extra headers sent after the library's own (API key, X-Forwarded-For, app headers), in this order.</summary>
    public List<KeyValuePair<string, string>> ExtraHeaders { get; } = [];

    /// <summary>One request.</summary>
    public SimulatedRequest Request(
        DateTimeOffset at, string ip, string method, string path, int status,
        string? query = null, IReadOnlyList<KeyValuePair<string, object>>? body = null,
        string? apiKey = null, string? account = null, string? session = null, string accept = "*/*",
        IReadOnlyList<KeyValuePair<string, string>>? perRequestHeaders = null, double latency = 25)
    {
        var headers = new List<KeyValuePair<string, string>>(8 + ExtraHeaders.Count)
        {
            new("user-agent", UserAgent), new("accept-encoding", "gzip, deflate"), new("accept", accept), new("connection", "keep-alive"),
        };
        if (body is not null)
        {
            headers.Add(new("content-type", "application/json"));
        }

        headers.AddRange(ExtraHeaders);
        if (perRequestHeaders is not null)
        {
            headers.AddRange(perRequestHeaders);
        }

        return new SimulatedRequest
        {
            Timestamp = ScenarioContext.Ms(at),
            Ip = ip,
            Method = method,
            Path = path,
            Query = query,
            Headers = headers,
            Tls = Tls,
            ApiKey = apiKey,
            Account = account,
            Session = session,
            Body = body,
            Status = status,
            LatencyMs = _context.Latency(latency),
            Label = _context.Label,
        };
    }
}
