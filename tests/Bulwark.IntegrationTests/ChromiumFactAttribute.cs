namespace Bulwark.IntegrationTests;

/// <summary>
/// A fact that drives Debian's Chromium (<c>/usr/bin/chromium</c>, or <c>$BULWARK_CHROMIUM</c>) through Playwright:
/// skipped with a message on a developer's machine without it, but run (and so failing) under <c>CI=true</c>, where
/// scripts/test.sh installs it.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ChromiumFactAttribute : FactAttribute
{
    /// <summary>The browser the tests launch.</summary>
    public static string ExecutablePath =>
        Environment.GetEnvironmentVariable("BULWARK_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    /// <summary>Skips when the browser is missing outside CI.</summary>
    public ChromiumFactAttribute()
    {
        var inCi = string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
        if (!File.Exists(ExecutablePath) && !inCi)
        {
            Skip = $"missing {ExecutablePath} (apt-get install chromium, or run scripts/test.sh as root; under CI=true this test runs and fails)";
        }
    }
}
