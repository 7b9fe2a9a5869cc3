using System.Text.RegularExpressions;

namespace Bulwark.Core.Simulation;

/// <summary>One real browser User-Agent from the npm <c>user-agents</c> list, with what the headers need from it.</summary>
public sealed partial record BrowserUserAgent(string UserAgent, double Weight, string Device, string Language)
{
    /// <summary>The engine family, from the User-Agent text.</summary>
    public BrowserFamily Family { get; } = Classify(UserAgent);

    /// <summary>Whether the device is a phone or tablet.</summary>
    public bool Mobile => Device is "mobile" or "tablet";

    /// <summary>The <c>sec-ch-ua-platform</c> value Chromium would send.</summary>
    public string Platform => UserAgent.Contains("Windows", StringComparison.Ordinal) ? "\"Windows\""
        : UserAgent.Contains("Android", StringComparison.Ordinal) ? "\"Android\""
        : UserAgent.Contains("CrOS", StringComparison.Ordinal) ? "\"Chrome OS\""
        : UserAgent.Contains("Mac OS X", StringComparison.Ordinal) ? "\"macOS\""
        : "\"Linux\"";

    /// <summary>The <c>sec-ch-ua</c> brand list Chromium would send (GREASE brand as Chrome 13x sends it).</summary>
    public string ClientHintBrands
    {
        get
        {
            var match = ChromeVersion().Match(UserAgent);
            var major = match.Success ? match.Groups[1].Value : "131";
            var brand = UserAgent.Contains(" Edg/", StringComparison.Ordinal) ? "Microsoft Edge"
                : UserAgent.Contains(" OPR/", StringComparison.Ordinal) ? "Opera"
                : UserAgent.Contains("SamsungBrowser", StringComparison.Ordinal) ? "Samsung Internet"
                : "Google Chrome";
            return $"\"{brand}\";v=\"{major}\", \"Chromium\";v=\"{major}\", \"Not_A Brand\";v=\"24\"";
        }
    }

    private static BrowserFamily Classify(string userAgent) =>
        userAgent.Contains("Firefox/", StringComparison.Ordinal) && !userAgent.Contains("Seamonkey", StringComparison.Ordinal) ? BrowserFamily.Firefox
        : userAgent.Contains("Chrome/", StringComparison.Ordinal) && !userAgent.Contains("iPhone", StringComparison.Ordinal) && !userAgent.Contains("iPad", StringComparison.Ordinal) ? BrowserFamily.Chromium
        : BrowserFamily.Safari;

    [GeneratedRegex(@"Chrome/(\d+)")]
    private static partial Regex ChromeVersion();
}
