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
