namespace Bulwark.Core.Intel.Database;

/// <summary>One problem in a build's input, with where it is.</summary>
public sealed record IpIntelBuildIssue(IpIntelBuildIssueKind Kind, string File, int Line, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"{File}:{Line}: {Kind.ToString().ToLowerInvariant()}: {Message}";
}
