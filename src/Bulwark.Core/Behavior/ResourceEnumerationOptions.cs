namespace Bulwark.Core.Behavior;

/// <summary>
/// Enumeration per actor (<c>Behavior.Enumeration</c>): numeric identifiers walked in order, a high share of 404 answers,
/// every recent request for a different resource, and riding just under the rate limit.
/// </summary>
public sealed record ResourceEnumerationOptions
{
    /// <summary>Whether enumeration is watched (default true).</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>
    /// Whether requests with an API key are exempt (default true): a keyed partner syncing a catalogue walks ids by
    /// design; keys are judged against their own baseline by the API key misuse detector instead.
    /// </summary>
    public bool SkipApiKeys { get; init; } = true;

    /// <summary>Consecutive requests whose numeric id moves by at most <see cref="MaxStep"/> that make a walk (default 10).</summary>
    public int SequentialRun { get; init; } = 10;

    /// <summary>Largest id step that still counts as walking (default 3).</summary>
    public int MaxStep { get; init; } = 3;

    /// <summary>Share of 404 answers from which <c>enumeration_not_found</c> fires (default 0.5).</summary>
    public double NotFoundRatio { get; init; } = 0.5;

    /// <summary>Answers observed before the 404 share is judged (default 10).</summary>
    public int MinObserved { get; init; } = 10;

    /// <summary>
    /// Distinct resources (numeric ids, else path and query) one actor may ask for within <see cref="DistinctWindowSeconds"/>
    /// before <c>enumeration_distinct</c> fires (default 150; 0: off). People browsing read a page every few seconds.
    /// </summary>
    public int DistinctResources { get; init; } = 150;

    /// <summary>The window over which distinct resources are counted, in seconds (default 600).</summary>
    public int DistinctWindowSeconds { get; init; } = 600;

    /// <summary>Consecutive allowed requests with at most 10 % of the deciding limit left that raise <c>enumeration_near_limit</c> (default 20; 0: off).</summary>
    public int NearLimitRun { get; init; } = 20;
}
