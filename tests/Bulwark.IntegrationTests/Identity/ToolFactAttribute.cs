namespace Bulwark.IntegrationTests.Identity;

/// <summary>
/// A fact that needs programs on the PATH (curl, python3 with requests, node, tshark, chromium): skipped with a message on a
/// developer's machine without them, run (and so failing) under <c>CI=true</c>, where scripts/test.sh installs them.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ToolFactAttribute : FactAttribute
{
    /// <summary>Skips when one of <paramref name="tools"/> is missing outside CI.</summary>
    public ToolFactAttribute(params string[] tools)
    {
        var inCi = string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
        var missing = tools.Where(t => Tools.Find(t) is null).ToArray();
        if (missing.Length > 0 && !inCi)
        {
            Skip = $"missing {string.Join(", ", missing)} (scripts/test.sh installs them as root; under CI=true this test runs and fails)";
        }
    }
}

/// <summary>Finds programs on the PATH.</summary>
internal static class Tools
{
    public static string? Find(string name)
    {
        if (name == "chromium")
        {
            return File.Exists(ChromiumFactAttribute.ExecutablePath) ? ChromiumFactAttribute.ExecutablePath : null;
        }

        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var path = Path.Combine(dir, name);
            if (File.Exists(path))
            {
                return path;
            }
        }

        return null;
    }
}
