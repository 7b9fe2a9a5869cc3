using System.Diagnostics.CodeAnalysis;

namespace Bulwark.Core.Policy;

/// <summary>The outcome of reading configuration: the options when there was no error, else every error found.</summary>
/// <param name="Options">The options, or null when <paramref name="Errors"/> is not empty.</param>
/// <param name="Errors">Every error found, in the order of the configuration; empty on success.</param>
public record ConfigReadResult(BulwarkOptions? Options, IReadOnlyList<ConfigError> Errors)
{
    /// <summary>True when the configuration is valid and <see cref="Options"/> is set.</summary>
    [MemberNotNullWhen(true, nameof(Options))]
    public bool Succeeded => Options is not null;
}
