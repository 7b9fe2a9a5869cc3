namespace Bulwark.Core.Behavior;

/// <summary>
/// Inter-request timing per actor (<c>Behavior.Timing</c>): <c>timing_regular</c> when the intervals of the last
/// <see cref="MinIntervals"/>+ requests vary less than <see cref="MaxCv"/> (a metronome), <c>timing_burst</c> when the last
/// <see cref="BurstRequests"/> requests to one route came within <see cref="BurstMs"/>.
/// </summary>
public sealed record TimingOptions
{
    /// <summary>Whether timing is watched (default true).</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Intervals needed before regularity is judged (default 6, at most 7: the history holds 8 requests).</summary>
    public int MinIntervals { get; init; } = 6;

    /// <summary>Coefficient of variation (standard deviation / mean) of intervals below which they are machine-regular (default 0.1).</summary>
    public double MaxCv { get; init; } = 0.1;

    /// <summary>Intervals longer than this many seconds on average are not judged (default 120): slow pollers are not abuse.</summary>
    public int MaxMeanSeconds { get; init; } = 120;

    /// <summary>Requests to one route that make a burst (default 8, at most 8).</summary>
    public int BurstRequests { get; init; } = 8;

    /// <summary>Span in milliseconds within which <see cref="BurstRequests"/> requests make a burst (default 1000).</summary>
    public int BurstMs { get; init; } = 1_000;

    /// <summary>Whether requests with an API key are exempt (default true: scheduled jobs are regular by design).</summary>
    public bool SkipApiKeys { get; init; } = true;
}
