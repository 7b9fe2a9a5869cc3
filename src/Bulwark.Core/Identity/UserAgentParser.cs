using System.Collections.Concurrent;
using System.Globalization;

namespace Bulwark.Core.Identity;

/// <summary>
/// Reads a User-Agent string into a <see cref="UserAgentInfo"/>: declared bots first (the crawler list, when given), then
/// HTTP libraries and tools by their product token, then browsers by the tokens that tell them apart (<c>Edg/</c> and
/// <c>OPR/</c> before <c>Chrome/</c>, <c>Chrome/</c> before <c>Safari/</c>). Results are cached per string, at most
/// <see cref="MaxCached"/> of them (the cache is emptied when full, so a flood of unique strings costs parsing, not memory).
/// </summary>
public sealed class UserAgentParser
{
    /// <summary>How many distinct User-Agent strings the cache holds before it starts over (about 400 bytes each).</summary>
    public const int MaxCached = 10_000;

    /// <summary>Longest User-Agent parsed; longer ones are cut (real ones are under 400 characters).</summary>
    public const int MaxLength = 1024;

    private static readonly (string Token, string Family)[] Tools =
    [
        ("curl/", "curl"),
        ("python-requests/", "python-requests"),
        ("python-urllib3/", "python-urllib3"),
        ("Python-urllib/", "python-urllib"),
        ("python-httpx/", "python-httpx"),
        ("aiohttp/", "python-aiohttp"),
        ("Go-http-client/", "go-http"),
        ("node-fetch", "node-fetch"),
        ("undici", "node-undici"),
        ("axios/", "node-axios"),
        ("okhttp/", "java-okhttp"),
        ("Apache-HttpClient/", "java-apache"),
        ("Java/", "java"),
        ("Wget/", "wget"),
        ("PostmanRuntime/", "postman"),
        ("libwww-perl/", "perl"),
        ("Dalvik/", "android-dalvik"),
    ];

    private readonly CrawlerList? _crawlers;
    private readonly ConcurrentDictionary<string, UserAgentInfo> _cache = new(StringComparer.Ordinal);

    /// <summary>Creates a parser; with <paramref name="crawlers"/>, declared bots are recognised.</summary>
    public UserAgentParser(CrawlerList? crawlers = null)
    {
        _crawlers = crawlers;
    }

    /// <summary>The crawler list in use, or null.</summary>
    public CrawlerList? Crawlers => _crawlers;

    /// <summary>Parses <paramref name="userAgent"/> (cached).</summary>
    public UserAgentInfo Parse(string? userAgent)
    {
        if (string.IsNullOrWhiteSpace(userAgent))
        {
            return UserAgentInfo.Unknown;
        }

        if (_cache.TryGetValue(userAgent, out var cached))
        {
            return cached;
        }

        var info = ParseUncached(userAgent.Length > MaxLength ? userAgent[..MaxLength] : userAgent);
        if (_cache.Count >= MaxCached)
        {
            _cache.Clear();
        }

        _cache.TryAdd(userAgent, info);
        return info;
    }

    private UserAgentInfo ParseUncached(string ua)
    {
        var os = Os(ua);
        if (_crawlers?.Match(ua) is { } bot)
        {
            return new UserAgentInfo { Family = "bot", Bot = bot, BotIsHttpLibrary = _crawlers.IsHttpLibrary(bot), Device = "bot", Os = os };
        }

        foreach (var (token, family) in Tools)
        {
            if (ua.StartsWith(token, StringComparison.OrdinalIgnoreCase)
                || (token.Length > 5 && ua.Contains(token, StringComparison.OrdinalIgnoreCase) && !ua.StartsWith("Mozilla/", StringComparison.Ordinal)))
            {
                return new UserAgentInfo { Family = family, Major = Version(ua, token), Device = "unknown", Os = os };
            }
        }

        if (!ua.StartsWith("Mozilla/", StringComparison.Ordinal) && !ua.StartsWith("Opera/", StringComparison.Ordinal))
        {
            return new UserAgentInfo { Os = os };
        }

        var device = Device(ua, os);
        var (browser, major, engine) = Browser(ua, os);
        return new UserAgentInfo
        {
            Family = browser,
            Major = major,
            Engine = engine,
            Os = os,
            Device = device,
            IsBrowser = browser is not null,
            IsHeadless = ua.Contains("HeadlessChrome/", StringComparison.Ordinal),
        };
    }

    private static (string? Family, int? Major, string? Engine) Browser(string ua, string? os)
    {
        // iOS browsers all run WebKit whatever their brand says.
        var ios = os == "ios";
        (string Token, string Family)[] chromiumBrands =
        [
            ("EdgA/", "edge"), ("Edg/", "edge"), ("OPR/", "opera"), ("SamsungBrowser/", "samsung"), ("YaBrowser/", "yandex"),
            ("Vivaldi/", "vivaldi"), ("UCBrowser/", "ucbrowser"), ("HeadlessChrome/", "chrome"), ("Chrome/", "chrome"),
        ];
        if (ios)
        {
            foreach (var (token, family) in new[] { ("CriOS/", "chrome"), ("FxiOS/", "firefox"), ("EdgiOS/", "edge"), ("OPiOS/", "opera"), ("Version/", "safari") })
            {
                if (ua.Contains(token, StringComparison.Ordinal))
                {
                    return (family, Version(ua, token), "webkit");
                }
            }

            return ua.Contains("AppleWebKit/", StringComparison.Ordinal) ? ("safari", null, "webkit") : (null, null, null);
        }

        if (ua.Contains("Firefox/", StringComparison.Ordinal) && !ua.Contains("Seamonkey/", StringComparison.Ordinal))
        {
            return ("firefox", Version(ua, "Firefox/"), "gecko");
        }

        foreach (var (token, family) in chromiumBrands)
        {
            if (ua.Contains(token, StringComparison.Ordinal))
            {
                return (family, Version(ua, token), "chromium");
            }
        }

        if (ua.Contains("Safari/", StringComparison.Ordinal) && ua.Contains("Version/", StringComparison.Ordinal))
        {
            return ("safari", Version(ua, "Version/"), "webkit");
        }

        if (ua.Contains("Trident/", StringComparison.Ordinal) || ua.Contains("MSIE ", StringComparison.Ordinal))
        {
            return ("ie", Version(ua, "MSIE "), "trident");
        }

        return (null, null, null);
    }

    private static string? Os(string ua)
    {
        if (ua.Contains("iPhone", StringComparison.Ordinal) || ua.Contains("iPad", StringComparison.Ordinal) || ua.Contains("iPod", StringComparison.Ordinal))
        {
            return "ios";
        }

        if (ua.Contains("Android", StringComparison.Ordinal))
        {
            return "android";
        }

        if (ua.Contains("Windows", StringComparison.Ordinal))
        {
            return "windows";
        }

        if (ua.Contains("CrOS", StringComparison.Ordinal))
        {
            return "chromeos";
        }

        if (ua.Contains("Macintosh", StringComparison.Ordinal) || ua.Contains("Mac OS X", StringComparison.Ordinal))
        {
            return "macos";
        }

        return ua.Contains("Linux", StringComparison.Ordinal) || ua.Contains("X11", StringComparison.Ordinal) ? "linux" : null;
    }

    private static string Device(string ua, string? os)
    {
        if (ua.Contains("iPad", StringComparison.Ordinal) || ua.Contains("Tablet", StringComparison.Ordinal))
        {
            return "tablet";
        }

        if (os == "android")
        {
            return ua.Contains("Mobile", StringComparison.Ordinal) ? "mobile" : "tablet";
        }

        if (ua.Contains("iPhone", StringComparison.Ordinal) || ua.Contains("iPod", StringComparison.Ordinal) || ua.Contains("Mobile", StringComparison.Ordinal))
        {
            return "mobile";
        }

        return "desktop";
    }

    private static int? Version(string ua, string token)
    {
        var at = ua.IndexOf(token, StringComparison.OrdinalIgnoreCase);
        if (at < 0)
        {
            return null;
        }

        var start = at + token.Length;
        var end = start;
        while (end < ua.Length && char.IsAsciiDigit(ua[end]) && end - start < 6)
        {
            end++;
        }

        return end > start ? int.Parse(ua.AsSpan(start, end - start), NumberStyles.None, CultureInfo.InvariantCulture) : null;
    }
}
