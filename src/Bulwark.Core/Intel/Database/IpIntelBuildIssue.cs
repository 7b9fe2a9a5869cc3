namespace Bulwark.Core.Intel.Database;

/// <summary>What kind of problem a build found in its input.</summary>
public enum IpIntelBuildIssueKind
{
    /// <summary>A line that could not be parsed; it was skipped.</summary>
    Malformed,

    /// <summary>The same range (or one nested in another) with the same facts twice in one source.</summary>
    Duplicate,

    /// <summary>Overlapping ranges of one source that say different things; the more specific, then the later, wins.</summary>
    Conflict,
}

/// <summary>One problem in a build's input, with where it is.</summary>
public sealed record IpIntelBuildIssue(IpIntelBuildIssueKind Kind, string File, int Line, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"{File}:{Line}: {Kind.ToString().ToLowerInvariant()}: {Message}";
}
