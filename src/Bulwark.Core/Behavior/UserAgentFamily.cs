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

    public static string Name(byte family) => family < Names.Length ? Names[family] : "other";

    public static byte Of(string? userAgent)
    {
        if (string.IsNullOrEmpty(userAgent))
        {
            return None;
        }

        var ua = userAgent.AsSpan();
        if (Contains(ua, "bot") || Contains(ua, "crawler") || Contains(ua, "spider"))
        {
            return Bot;
        }

        if (ua.StartsWith("Mozilla/", StringComparison.Ordinal))
        {
            if (Contains(ua, "Edg/") || Contains(ua, "EdgA/") || Contains(ua, "EdgiOS/"))
            {
                return Edge;
            }

            if (Contains(ua, "OPR/") || Contains(ua, "Opera"))
            {
                return Opera;
            }

            if (Contains(ua, "Firefox/") || Contains(ua, "FxiOS/"))
            {
                return Firefox;
            }

            if (Contains(ua, "Chrome/") || Contains(ua, "CriOS/") || Contains(ua, "Chromium/"))
            {
                return Chrome;
            }

            return Contains(ua, "Safari/") ? Safari : Other;
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
}
