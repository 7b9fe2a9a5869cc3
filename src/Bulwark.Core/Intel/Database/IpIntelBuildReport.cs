namespace Bulwark.Core.Intel.Database;

/// <summary>
/// The outcome of a build: sources, the size of the result, and the problems found in the input, counted, with the first
/// <see cref="MaxExamples"/> of each kind kept as examples (file and line).
/// </summary>
public sealed class IpIntelBuildReport
{
    /// <summary>How many issues of each kind are kept as examples.</summary>
    public const int MaxExamples = 20;

    private readonly List<IpIntelBuildIssue> _examples = [];
    private readonly List<IpIntelSourceSummary> _sources = [];

    /// <summary>The sources in build order.</summary>
    public IReadOnlyList<IpIntelSourceSummary> Sources => _sources;

    /// <summary>The first few issues of each kind.</summary>
    public IReadOnlyList<IpIntelBuildIssue> Examples => _examples;

    /// <summary>Lines skipped because they could not be parsed.</summary>
    public long Malformed { get; private set; }

    /// <summary>Repeated ranges within one source.</summary>
    public long Duplicates { get; private set; }

    /// <summary>Overlapping ranges within one source that disagree.</summary>
    public long Conflicts { get; private set; }

    /// <summary>Input ranges read, IPv4.</summary>
    public long InputRangesV4 { get; internal set; }

    /// <summary>Input ranges read, IPv6.</summary>
    public long InputRangesV6 { get; internal set; }

    /// <summary>Flat, non-overlapping ranges in the database (gaps included), IPv4.</summary>
    public int RangesV4 { get; internal set; }

    /// <summary>Flat, non-overlapping ranges in the database (gaps included), IPv6.</summary>
    public int RangesV6 { get; internal set; }

    /// <summary>Distinct records (combinations of facts) in the database.</summary>
    public int Records { get; internal set; }

    /// <summary>The size of the database file in bytes.</summary>
    public long OutputBytes { get; internal set; }

    /// <summary>File bytes per flat range.</summary>
    public double BytesPerRange => RangesV4 + RangesV6 == 0 ? 0 : (double)OutputBytes / (RangesV4 + RangesV6);

    /// <summary>Records an issue.</summary>
    public void Add(IpIntelBuildIssueKind kind, string file, int line, string message)
    {
        long count = kind switch
        {
            IpIntelBuildIssueKind.Malformed => ++Malformed,
            IpIntelBuildIssueKind.Duplicate => ++Duplicates,
            _ => ++Conflicts,
        };
        if (count <= MaxExamples)
        {
            _examples.Add(new IpIntelBuildIssue(kind, file, line, message));
        }
    }

    internal void AddSource(IpIntelSourceSummary summary) => _sources.Add(summary);
}
