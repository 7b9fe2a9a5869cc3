using Bulwark.Core.Protections;

namespace Bulwark.AspNetCore;

/// <summary>The middleware's <see cref="IBulwarkLoginFeature"/>: also holds the outcome read from the response header.</summary>
internal sealed class BulwarkLoginFeature(string? outcomeHeader) : IBulwarkLoginFeature
{
    public LoginOutcome Outcome { get; private set; }

    /// <summary>The header the application may report in, or null.</summary>
    public string? OutcomeHeader { get; } = outcomeHeader;

    /// <summary>What the response header said (read and removed when the response starts).</summary>
    public LoginOutcome HeaderOutcome { get; set; }

    public void Report(LoginOutcome outcome) => Outcome = outcome;

    /// <summary>The outcome to feed back: the in-process report, else the header, else unknown (the status decides).</summary>
    public LoginOutcome Resolved => Outcome != LoginOutcome.Unknown ? Outcome : HeaderOutcome;
}
