namespace Bulwark.Core.Policy;

/// <summary>What happens to requests of the routes bound to this policy.</summary>
public sealed record PolicyOptions
{
    /// <summary><c>enforce</c> or <c>monitor</c>; null inherits <see cref="BulwarkOptions.Mode"/>. Monitor wins if either says so.</summary>
    public string? Mode { get; init; }

    /// <summary><c>open</c> (default: allow when shared state fails) or <c>closed</c> (refuse with 503).</summary>
    public string FailMode { get; init; } = "open";

    /// <summary>Score thresholds for the score-driven actions.</summary>
    public ThresholdOptions Thresholds { get; init; } = new();

    /// <summary>How long delays are.</summary>
    public DelayOptions Delay { get; init; } = new();

    /// <summary>Rate limits, all counted for every request of the policy.</summary>
    public IReadOnlyList<LimitOptions> Limits { get; init; } = [];

    /// <summary>Signal weight overrides by signal name (0 disables a signal). Signals not named keep their detector's default.</summary>
    public IReadOnlyDictionary<string, int> Signals { get; init; } = new Dictionary<string, int>();

    /// <summary>
    /// True when people, not servers, use these routes (default false): requests from hosting networks then raise the
    /// <c>hosting_network</c> signal.
    /// </summary>
    public bool Consumer { get; init; }

    /// <summary>
    /// True to step up rather than refuse (default false): a hosting-network request whose score would delay, challenge
    /// or block is passed upstream with the header <c>Bulwark-Step-Up: required</c>, asking the application for a
    /// second factor. Limits still refuse.
    /// </summary>
    public bool StepUp { get; init; }

    /// <summary>Countries allowed or denied on these routes (ISO 3166-1 alpha-2); needs IP intelligence.</summary>
    public CountryListOptions Countries { get; init; } = new();

    /// <summary>The login preset (failure limits, delays, challenge, lockout); null: none. See docs/protections.md.</summary>
    public Bulwark.Core.Protections.LoginOptions? Login { get; init; }

    /// <summary>The OTP / SMS / e-mail sending preset (limits per normalised destination, address and prefix); null: none.</summary>
    public Bulwark.Core.Protections.OtpOptions? Otp { get; init; }

    /// <summary>Spending budgets per API key and per actor, spent at the route's <c>CostUsd</c>; null: none.</summary>
    public Bulwark.Core.Protections.BudgetOptions? Budget { get; init; }
    /// <summary>Behavioural detectors of this policy (sequences, timing, enumeration, stuffing, velocity, API keys).</summary>
    public Bulwark.Core.Behavior.PolicyBehaviorOptions Behavior { get; init; } = new();
}

/// <summary>Country rules of a policy. With <see cref="Allow"/> non-empty, every other country is not allowed.</summary>
public sealed record CountryListOptions
{
    /// <summary>Only these countries are allowed (empty: all).</summary>
    public IReadOnlyList<string> Allow { get; init; } = [];

    /// <summary>These countries are not allowed.</summary>
    public IReadOnlyList<string> Deny { get; init; } = [];
}

/// <summary>Score (0–100) at which each action starts. 0 disables that action. Must rise: Delay &lt; Challenge &lt; Block.</summary>
public sealed record ThresholdOptions
{
    /// <summary>Score from which requests are delayed (default 50).</summary>
    public int Delay { get; init; } = 50;

    /// <summary>Score from which requests are challenged (default 80).</summary>
    public int Challenge { get; init; } = 80;

    /// <summary>Score from which requests are blocked (default 95).</summary>
    public int Block { get; init; } = 95;
}

/// <summary>Bounds of delays, in milliseconds.</summary>
public sealed record DelayOptions
{
    /// <summary>Delay at the delay threshold (default 250 ms); it grows linearly to <see cref="MaxMs"/> at the challenge threshold.</summary>
    public int BaseMs { get; init; } = 250;

    /// <summary>Longest delay ever applied, by score or by a limit with <c>OnLimit: delay</c> (default 5000 ms).</summary>
    public int MaxMs { get; init; } = 5_000;
}
