namespace Bulwark.Core.Tests.Data;

/// <summary>
/// Where tests find data that is not in the repository: the npm data packages (fetched by scripts/fetch-data.sh into
/// <c>$BULWARK_DATA_DIR</c>, default <c>~/.cache/bulwark/data</c>, one folder per package holding its unpacked
/// <c>package/</c>) and the team's fixtures in <c>../shared/data</c> beside the repository root.
/// </summary>
public static class TestData
{
    /// <summary>True when the CI runner set <c>CI=true</c>: missing data then fails tests instead of skipping them.</summary>
    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The data cache folder.</summary>
    public static string CacheDirectory =>
        Environment.GetEnvironmentVariable("BULWARK_DATA_DIR") is { Length: > 0 } dir
            ? dir
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "bulwark", "data");

    /// <summary>A file inside an npm package's <c>package/</c> folder, e.g. <c>NpmFile("@ip-location-db/asn", "asn-ipv4.csv")</c>.</summary>
    public static string NpmFile(string package, string relativePath) =>
        Path.Combine(CacheDirectory, package.Replace('/', Path.DirectorySeparatorChar), "package", relativePath);

    /// <summary>The repository root (the folder holding Bulwark.sln), found from the test binaries upwards.</summary>
    public static string RepositoryRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Bulwark.sln")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new InvalidOperationException("cannot find Bulwark.sln above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>A file under <c>../shared/data</c> beside the repository root.</summary>
    public static string SharedFile(string relativePath) =>
        Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "data", relativePath));

    /// <summary>Why a test cannot run for want of <paramref name="paths"/>, or null when they all exist.</summary>
    public static string? Missing(params string[] paths)
    {
        var missing = paths.Where(p => !File.Exists(p)).ToArray();
        return missing.Length == 0 ? null : "missing test data: " + string.Join(", ", missing);
    }
}

/// <summary>
/// A fact that needs data files outside the repository: skipped with a message saying which when they are missing on a
/// developer's machine, but run (and so failing) under <c>CI=true</c>, where missing data is a fault.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class DataFactAttribute : FactAttribute
{
    /// <summary>Paths are npm package files as <c>"npm:PACKAGE:RELATIVE"</c> or shared fixtures as <c>"shared:RELATIVE"</c>.</summary>
    public DataFactAttribute(params string[] files)
    {
        var missing = TestData.Missing(files.Select(Resolve).ToArray());
        if (missing is not null && !TestData.InCi)
        {
            Skip = missing + " (run scripts/fetch-data.sh, or clone beside ../shared; under CI=true this test runs and fails)";
        }
    }

    /// <summary>Turns a <c>npm:…</c> or <c>shared:…</c> reference into a path.</summary>
    public static string Resolve(string reference)
    {
        var parts = reference.Split(':', 3);
        return parts[0] switch
        {
            "npm" when parts.Length == 3 => TestData.NpmFile(parts[1], parts[2]),
            "shared" when parts.Length == 2 => TestData.SharedFile(parts[1]),
            _ => throw new ArgumentException($"'{reference}' must be npm:PACKAGE:FILE or shared:FILE", nameof(reference)),
        };
    }
}

/// <summary>The theory counterpart of <see cref="DataFactAttribute"/>.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class DataTheoryAttribute : TheoryAttribute
{
    /// <summary>See <see cref="DataFactAttribute(string[])"/>.</summary>
    public DataTheoryAttribute(params string[] files)
    {
        var missing = TestData.Missing(files.Select(DataFactAttribute.Resolve).ToArray());
        if (missing is not null && !TestData.InCi)
        {
            Skip = missing + " (run scripts/fetch-data.sh, or clone beside ../shared; under CI=true this test runs and fails)";
        }
    }
}
