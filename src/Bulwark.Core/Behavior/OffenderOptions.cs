namespace Bulwark.Core.Behavior;

/// <summary>
/// Escalating bans for repeat offenders (<c>Bulwark:Behavior:Offenders</c>). An IP group blocked by its score
/// <see cref="BlocksBeforeBan"/> times within <see cref="WindowSeconds"/> is banned; each further ban of the same group
/// lasts twice as long as the one before, up to <see cref="MaxBanSeconds"/>. Honeypot bans escalate the same way.
/// </summary>
public sealed record OffenderOptions
{
    /// <summary>Score blocks within the window that earn a ban (default 5; 0 turns score-block bans off).</summary>
    public int BlocksBeforeBan { get; init; } = 5;

    /// <summary>The window in seconds over which score blocks are counted (default 600).</summary>
    public int WindowSeconds { get; init; } = 600;

    /// <summary>Length of a first ban in seconds (default 300).</summary>
    public int BanSeconds { get; init; } = 300;

    /// <summary>Longest ban in seconds (default 86,400: a day).</summary>
    public int MaxBanSeconds { get; init; } = 86_400;

    /// <summary>Seconds an offender's ban count is remembered after its last ban (default 86,400).</summary>
    public int MemorySeconds { get; init; } = 86_400;
}
