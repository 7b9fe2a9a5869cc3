namespace Bulwark.Core.Identity;

/// <summary>
/// What a User-Agent string claims: the client family (<c>chrome</c>, <c>edge</c>, <c>firefox</c>, <c>safari</c>,
/// <c>curl</c>, <c>python-requests</c> …), its major version, engine, operating system and device class, and the declared
/// bot it names, if any. Made by <see cref="UserAgentParser"/>.
/// </summary>
public sealed record UserAgentInfo
{
    /// <summary>Nothing known (no or empty User-Agent).</summary>
    public static UserAgentInfo Unknown { get; } = new();

    /// <summary>Client family in lower case, or null when unrecognised.</summary>
    public string? Family { get; init; }

    /// <summary>Major version of the family, or null.</summary>
    public int? Major { get; init; }

    /// <summary>Rendering engine of a browser: <c>chromium</c>, <c>gecko</c>, <c>webkit</c>, <c>trident</c>; null for non-browsers.</summary>
    public string? Engine { get; init; }

    /// <summary>Operating system: <c>windows</c>, <c>macos</c>, <c>ios</c>, <c>android</c>, <c>linux</c>, <c>chromeos</c>, or null.</summary>
    public string? Os { get; init; }

    /// <summary>Device class: <c>desktop</c>, <c>mobile</c>, <c>tablet</c>, <c>bot</c>, or <c>unknown</c>.</summary>
    public string Device { get; init; } = "unknown";

    /// <summary>True when the string claims to be a web browser (not a library, tool or declared bot).</summary>
    public bool IsBrowser { get; init; }

    /// <summary>True when the string claims a headless browser (<c>HeadlessChrome</c>).</summary>
    public bool IsHeadless { get; init; }

    /// <summary>The crawler-list pattern the string matched (a declared bot), or null.</summary>
    public string? Bot { get; init; }

    /// <summary>True when <see cref="Bot"/> is an HTTP library's default User-Agent (the list's <c>http-library</c> tag).</summary>
    public bool BotIsHttpLibrary { get; init; }
}
