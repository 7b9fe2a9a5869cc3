namespace Bulwark.Core.Limits;

/// <summary>How a limit counts.</summary>
public enum LimitAlgorithm : byte
{
    /// <summary>
    /// Continuous refill at <c>Permits/Period</c> up to <c>Burst</c> tokens. Any interval of length t admits at most
    /// Burst + ⌊rate·t⌋ (Burst + Permits per period); with MaxDelayTicks, counted when delayed requests are released.
    /// </summary>
    TokenBucket = 0,

    /// <summary>
    /// Weighted two-window approximation: estimate = previous·(1 − elapsed fraction) + current, compared exactly. Any
    /// window-length interval admits at most 2·Permits − 1, and that is reached (a burst at the end of one window, then
    /// pacing at the full rate through the next). A burst straddling a boundary and lasting d past it gets at most
    /// Permits + ⌊Permits·d/Period⌋: Permits + 1 only while d &lt; 2·Period/Permits. See docs/limits.md.
    /// </summary>
    SlidingWindow = 1,

    /// <summary>Generic cell rate algorithm: one timestamp per key (the theoretical arrival time), same bound as the token bucket.</summary>
    Gcra = 2,

    /// <summary>Fixed windows aligned to the epoch. Cheapest; a burst straddling a boundary can reach 2·Permits.</summary>
    FixedWindow = 3,

    /// <summary>At most <c>Permits</c> requests in flight per key; released on feedback.</summary>
    Concurrency = 4,
}
