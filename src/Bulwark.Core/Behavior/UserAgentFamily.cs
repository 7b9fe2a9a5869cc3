namespace Bulwark.Core.Behavior;

/// <summary>
/// The coarse client family a User-Agent claims, for actor and cluster keys only. Deliberately tiny and internal: the full
/// User-Agent parser of the fingerprint work can replace <see cref="Of"/> without changing any table.
/// </summary>
internal static class UserAgentFamily
{
    public const byte None = 0;
    public const byte Other = 1;
    public const byte Chrome = 2;
    public const byte Edge = 3;
    public const byte Firefox = 4;
    public const byte Safari = 5;
    public const byte Opera = 6;
    public const byte Bot = 7;
    public const byte Curl = 8;
    public const byte Python = 9;
    public const byte Go = 10;
    public const byte Java = 11;
    public const byte Node = 12;

    private static readonly string[] Names = ["none", "other", "chrome", "edge", "firefox", "safari", "opera", "bot", "curl", "python", "go", "java", "node"];

    /// <summary>Whether the family is a web browser's (Chrome, Edge, Firefox, Safari, Opera).</summary>
    public static bool IsBrowser(byte family) => family is Chrome or Edge or Firefox or Safari or Opera;

    public static string Name(byte family) => family < Names.Length ? Names[family] : "other";

    [ThreadStatic]
    private static string? t_lastAgent;

    [ThreadStatic]
    private static byte t_lastFamily;

    /// <summary>The family of <paramref name="userAgent"/>. Kestrel hands the same string instance to consecutive requests of a connection that repeat a header, so the last answer is kept per thread.</summary>
    public static byte Of(string? userAgent)
    {
        if (string.IsNullOrEmpty(userAgent))
        {
            return None;
        }

        if (ReferenceEquals(userAgent, t_lastAgent))
        {
            return t_lastFamily;
        }

        var family = Parse(userAgent);
        t_lastAgent = userAgent;
        t_lastFamily = family;
        return family;
    }

    private static byte Parse(string userAgent)
    {

        var ua = userAgent.AsSpan();
        if (ua.StartsWith("Mozilla/", StringComparison.Ordinal))
        {
            // Browser tokens are case-sensitive by convention; ordinal searches are vectorised and cheap.
            if (Has(ua, "bot") || Has(ua, "Bot") || Has(ua, "rawler") || Has(ua, "pider"))
            {
                return Bot;
            }

            if (Has(ua, "Edg"))
            {
                return Edge;
            }

            if (Has(ua, "OPR/") || Has(ua, "Opera"))
            {
                return Opera;
            }

            if (Has(ua, "Firefox/") || Has(ua, "FxiOS/"))
            {
                return Firefox;
            }

            if (Has(ua, "Chrome/") || Has(ua, "CriOS/") || Has(ua, "Chromium/"))
            {
                return Chrome;
            }

            return Has(ua, "Safari/") ? Safari : Other;
        }

        if (Contains(ua, "bot") || Contains(ua, "crawler") || Contains(ua, "spider"))
        {
            return Bot;
        }

        if (ua.StartsWith("curl/", StringComparison.OrdinalIgnoreCase))
        {
            return Curl;
        }

        if (Contains(ua, "python") || Contains(ua, "aiohttp") || Contains(ua, "httpx"))
        {
            return Python;
        }

        if (ua.StartsWith("Go-http-client", StringComparison.OrdinalIgnoreCase))
        {
            return Go;
        }

        if (ua.StartsWith("Java", StringComparison.OrdinalIgnoreCase) || Contains(ua, "okhttp") || Contains(ua, "Apache-HttpClient"))
        {
            return Java;
        }

        return Contains(ua, "node") || Contains(ua, "undici") || Contains(ua, "axios") ? Node : Other;
    }

    private static bool Contains(ReadOnlySpan<char> text, string value) => text.Contains(value, StringComparison.OrdinalIgnoreCase);

    private static bool Has(ReadOnlySpan<char> text, string value) => text.IndexOf(value, StringComparison.Ordinal) >= 0;
}
