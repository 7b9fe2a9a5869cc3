namespace Bulwark.Core.Policy;

/// <summary>The outcome of loading a configuration file: a <see cref="ConfigReadResult"/> plus where it came from.</summary>
/// <param name="Source">The file path (full path) or <c>&lt;json&gt;</c> for an in-memory document.</param>
/// <param name="Options">The options, or null when <paramref name="Errors"/> is not empty.</param>
/// <param name="Errors">Every error found; empty on success.</param>
public sealed record ConfigLoadResult(string Source, BulwarkOptions? Options, IReadOnlyList<ConfigError> Errors)
    : ConfigReadResult(Options, Errors);
