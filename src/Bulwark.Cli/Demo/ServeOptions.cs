namespace Bulwark.Cli.Demo;

/// <summary>What <c>bulwark serve</c> was asked for.</summary>
internal sealed record ServeOptions
{
    /// <summary>A configuration file; null runs the embedded default policy.</summary>
    public string? ConfigFile { get; init; }

    /// <summary>ASP.NET Core URLs; null listens on the demo's loopback port.</summary>
    public string? Urls { get; init; }

    /// <summary>A JSON Lines file to append decision records to.</summary>
    public string? DecisionsFile { get; init; }
}
