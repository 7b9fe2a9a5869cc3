namespace Bulwark.Core.Replay;

/// <summary>What a replay saw and decided: counts for the summary table and the detection figures for labelled input.</summary>
public sealed class ReplaySummary
{
    /// <summary>Most distinct actors counted (beyond it new actors are not tracked; the table says so).</summary>
    public const int MaxActors = 100_000;

    /// <summary>Lines read, blank lines excluded.</summary>
    public long Lines { get; internal set; }

    /// <summary>Records decided.</summary>
    public long Decided { get; internal set; }

    /// <summary>Malformed lines skipped.</summary>
    public long Skipped { get; internal set; }

    /// <summary>The first malformed lines: line number and what was wrong.</summary>
    public List<(long Line, string Error)> Errors { get; } = [];

    /// <summary>Records whose time stepped back by more than the tolerated window.</summary>
    public long TimeJumps { get; internal set; }

    /// <summary>The first such records: line number and how far back, in seconds.</summary>
    public List<(long Line, double SecondsBack)> Jumps { get; } = [];

    /// <summary>Decisions by policy, action and reason code.</summary>
    public Dictionary<(string Policy, string Action, string Reason), long> Actions { get; } = [];

    /// <summary>Requests and mitigated requests by actor (masked address group).</summary>
    public Dictionary<string, (long Requests, long Mitigated)> Actors { get; } = new(StringComparer.Ordinal);

    /// <summary>Whether <see cref="Actors"/> stopped taking new actors at <see cref="MaxActors"/>.</summary>
    public bool ActorsTruncated { get; internal set; }

    /// <summary>Money the refused calls would have cost (routes' <c>CostUsd</c>), counting enforced refusals and, in monitor mode, would-be ones.</summary>
    public decimal SavedUsd { get; internal set; }

    /// <summary>How often each signal fired.</summary>
    public Dictionary<string, long> Signals { get; } = new(StringComparer.Ordinal);

    /// <summary>Detection figures by label, for labelled input.</summary>
    public Dictionary<string, LabelStats> Labels { get; } = new(StringComparer.Ordinal);

    /// <summary>First and last record time.</summary>
    public (DateTimeOffset First, DateTimeOffset Last)? TimeSpan { get; internal set; }

    /// <summary>Decisions per time bucket and action, for the report's chart (bucket start → counts by action index).</summary>
    public SortedDictionary<DateTimeOffset, long[]> Timeline { get; } = [];

    /// <summary>Precision of "mitigated" against "attack" over labelled records: mitigated attacks / all mitigated labelled records.</summary>
    public double? Precision
    {
        get
        {
            var (tp, fp, _) = Confusion();
            return tp + fp == 0 ? null : (double)tp / (tp + fp);
        }
    }

    /// <summary>Recall of "mitigated" against "attack": mitigated attacks / all attacks.</summary>
    public double? Recall
    {
        get
        {
            var (tp, _, fn) = Confusion();
            return tp + fn == 0 ? null : (double)tp / (tp + fn);
        }
    }

    private (long TruePositives, long FalsePositives, long FalseNegatives) Confusion()
    {
        long tp = 0, fp = 0, fn = 0;
        foreach (var (label, stats) in Labels)
        {
            if (LabelStats.IsAttack(label))
            {
                tp += stats.Mitigated;
                fn += stats.Requests - stats.Mitigated;
            }
            else if (LabelStats.IsLegit(label))
            {
                fp += stats.Mitigated;
            }
        }

        return (tp, fp, fn);
    }
}

/// <summary>Detection figures of one label.</summary>
public sealed class LabelStats
{
    /// <summary>Records with the label.</summary>
    public long Requests { get; internal set; }

    /// <summary>Of those, delayed, challenged or blocked (enforced or, in monitor mode, would have been).</summary>
    public long Mitigated { get; internal set; }

    /// <summary>Of those, blocked.</summary>
    public long Blocked { get; internal set; }

    /// <summary>The 1-based index, among this label's records, of the first mitigated one (time to detect); null if none.</summary>
    public long? FirstMitigated { get; internal set; }

    /// <summary>Cumulative mitigated count against the index within the label, sampled (for the report's mitigation curves).</summary>
    public MitigationCurve Curve { get; } = new();

    /// <summary>Share mitigated.</summary>
    public double MitigatedShare => Requests == 0 ? 0 : (double)Mitigated / Requests;

    /// <summary>Share blocked.</summary>
    public double BlockedShare => Requests == 0 ? 0 : (double)Blocked / Requests;

    /// <summary>Whether a label marks abuse (<c>attack</c> or <c>attack:kind</c>).</summary>
    public static bool IsAttack(string label) => label == "attack" || label.StartsWith("attack:", StringComparison.Ordinal);

    /// <summary>Whether a label marks wanted traffic (<c>legit</c> or <c>legit:kind</c>).</summary>
    public static bool IsLegit(string label) => label == "legit" || label.StartsWith("legit:", StringComparison.Ordinal);
}
