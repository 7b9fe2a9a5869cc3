namespace Bulwark.Gateway.Tests.Samples;

/// <summary>
/// A fact that runs a real server binary (nginx, caddy): skipped with a message on a machine without it, but run (and so
/// failing) under <c>CI=true</c>, where scripts/test.sh installs it.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ExternalFactAttribute : FactAttribute
{
    public ExternalFactAttribute(string executable)
    {
        var inCi = string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
        if (Find(executable) is null && !inCi)
        {
            Skip = $"{executable} is not installed (apt-get install {executable}, or run scripts/test.sh as root; under CI=true this test runs and fails)";
        }
    }

    /// <summary>The full path of <paramref name="executable"/> on PATH (or /usr/sbin), or null.</summary>
    public static string? Find(string executable)
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "") + ":/usr/sbin:/sbin";
        return path.Split(':', StringSplitOptions.RemoveEmptyEntries).Select(d => Path.Combine(d, executable)).FirstOrDefault(File.Exists);
    }
}
