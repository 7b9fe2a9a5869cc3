using Bulwark.Core.Policy;
using Microsoft.Extensions.Configuration;

namespace Bulwark.AspNetCore;

/// <summary>
/// How <see cref="BulwarkServiceCollectionExtensions.AddBulwark"/> finds its configuration, in order: <see cref="Options"/>,
/// else <see cref="ConfigFile"/> (watched and reloaded), else <see cref="Configuration"/>, else the application's own
/// configuration (its <c>Bulwark</c> section).
/// </summary>
public sealed class BulwarkSetup
{
    /// <summary>Options built in code.</summary>
    public BulwarkOptions? Options { get; set; }

    /// <summary>A JSON file with a top-level <c>Bulwark</c> object; environment variables <c>Bulwark__…</c> override it.</summary>
    public string? ConfigFile { get; set; }

    /// <summary>Reload <see cref="ConfigFile"/> when it changes (default true). An invalid new file is logged and ignored.</summary>
    public bool WatchConfigFile { get; set; } = true;

    /// <summary>A configuration whose <c>Bulwark</c> section is read.</summary>
    public IConfiguration? Configuration { get; set; }

    /// <summary>
    /// Called when a request is refused, after status and headers are set and before Bulwark writes its body. Write a
    /// response to replace the default problem+json body.
    /// </summary>
    public Func<BulwarkRejectedContext, ValueTask>? OnRejected { get; set; }

    /// <summary>Appends every decision record to this JSON Lines file (CONTRACTS.md §3). Default: none.</summary>
    public string? DecisionLogPath { get; set; }
}
