namespace Bulwark.Core.Simulation;

/// <summary>
/// Where the simulator's data lives: the npm data cache filled by <c>scripts/fetch-data.sh</c> (one folder per package
/// holding its unpacked <c>package/</c>) and the team's shared fixtures (<c>ipintel/</c>, <c>ja4/</c>).
/// </summary>
/// <param name="CacheDirectory">The npm data cache, by default <c>$BULWARK_DATA_DIR</c> or <c>~/.cache/bulwark/data</c>.</param>
/// <param name="SharedDirectory">The shared data folder, by default <c>shared/data</c> found in the working directory or one of its parents.</param>
public sealed record SimulationDataPaths(string CacheDirectory, string SharedDirectory)
{
    /// <summary>The default locations, as described on the parameters.</summary>
    public static SimulationDataPaths Default()
    {
        var cache = Environment.GetEnvironmentVariable("BULWARK_DATA_DIR") is { Length: > 0 } dir
            ? dir
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "bulwark", "data");
        var shared = Environment.GetEnvironmentVariable("BULWARK_SHARED_DATA") is { Length: > 0 } s ? s : FindShared();
        return new SimulationDataPaths(cache, shared);
    }

    /// <summary>A file inside an npm package's <c>package/</c> folder.</summary>
    public string NpmFile(string package, string relativePath) =>
        Path.Combine(CacheDirectory, package.Replace('/', Path.DirectorySeparatorChar), "package", relativePath);

    /// <summary>A file in the shared data folder.</summary>
    public string SharedFile(string relativePath) => Path.Combine(SharedDirectory, relativePath);

    private static string FindShared()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data");
            if (Directory.Exists(Path.Combine(candidate, "ipintel")))
            {
                return candidate;
            }
        }

        return Path.GetFullPath(Path.Combine("..", "shared", "data"));
    }
}
