namespace Bulwark.Core.Decisions;

/// <summary>
/// What Bulwark decided for one request, and why. Produced by <see cref="BulwarkEngine.Decide"/>; feed it back through
/// <see cref="BulwarkEngine.Feedback(Decision, RequestContext, int, TimeSpan, CancellationToken)"/> once the upstream has answered.
/// </summary>
public sealed class Decision
{
    private static readonly DecisionReason[] NoReasons = [];
    private static readonly LimitStatus[] NoLimits = [];

    /// <summary>The shared result for requests that no policy covers. Nothing was counted; nothing is logged.</summary>
    public static Decision NotCovered { get; } = new()
    {
        Id = "0000000000000000",
        Action = DecisionAction.Allow,
        StatusCode = 200,
        ReasonCode = ReasonCodes.NotCovered,
        Covered = false,
    };

    /// <summary>Unique id of this decision, returned to refused clients as <c>decision_id</c>.</summary>
    public required string Id { get; init; }

    /// <summary>The action decided. In monitor mode this is what would have been done; see <see cref="Enforced"/>.</summary>
    public required DecisionAction Action { get; init; }

    /// <summary>The HTTP status that goes with the action (200, 401, 403, 429).</summary>
    public int StatusCode { get; init; } = 200;

    /// <summary>The risk score 0–100, the clamped sum of signal weights.</summary>
    public int Score { get; init; }

    /// <summary>Stable machine-readable code for the action, safe to show clients (for example <c>rate_limited</c>).</summary>
    public string ReasonCode { get; init; } = ReasonCodes.Allowed;

    /// <summary>Evidence: every signal that fired and every limit that refused.</summary>
    public IReadOnlyList<DecisionReason> Reasons { get; init; } = NoReasons;

    /// <summary>The limit that decided: the one that refused, else the one closest to refusing. Null when no limit applied.</summary>
    public LimitStatus? Limit { get; init; }

    /// <summary>Every limit the request was counted against, for the <c>RateLimit-Policy</c> and <c>RateLimit</c> headers.</summary>
    public IReadOnlyList<LimitStatus> Limits { get; init; } = NoLimits;

    /// <summary>The identities the request was counted under.</summary>
    public ActorKeys Actor { get; init; } = EmptyActor;

    /// <summary>The policy that applied, or null when none did.</summary>
    public string? Policy { get; init; }

    /// <summary>False in monitor mode: the action was computed and logged but not carried out.</summary>
    public bool Enforced { get; init; } = true;

    /// <summary>False when no policy covers the request.</summary>
    public bool Covered { get; init; } = true;

    /// <summary>For <see cref="DecisionAction.Delay"/>: how long to hold the request before passing it on.</summary>
    public TimeSpan Delay { get; init; }

    /// <summary>For refusals: how long the client should wait before retrying (the <c>Retry-After</c> header), if known.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>The time the decision was made (the request's timestamp).</summary>
    public DateTimeOffset Timestamp { get; init; }

    /// <summary>Risk tiers the request carried when its limits were chosen (for example <c>elevated</c>, <c>hosting</c>).</summary>
    public IReadOnlyList<string> Tiers { get; init; } = [];

    /// <summary>
    /// True when the request is passed on with a request for a second factor: the front door adds
    /// <c>Bulwark-Step-Up: required</c> to the upstream request. The action is then <see cref="DecisionAction.Allow"/>.
    /// </summary>
    public bool StepUp { get; init; }

    /// <summary>
    /// What the refused call would have cost, in US dollars: the route's <c>CostUsd</c> when the action is challenge or
    /// block, else 0. Whether it was really saved depends on <see cref="Enforced"/>.
    /// </summary>
    public decimal SavedUsd { get; init; }
    /// <summary>Why the request does not conform to the OpenAPI document (reason codes <c>schema_*</c>, <c>body_too_large</c>), or null.</summary>
    public Schema.SchemaViolation? Schema { get; init; }

    /// <summary>True when the action refuses the request outright (challenge or block) and the decision is enforced.</summary>
    public bool IsRefusal => Enforced && Action is DecisionAction.Block or DecisionAction.Challenge;

    /// <summary>Internal: counters to settle on feedback (failure-only limits, concurrency leases). Null when there are none.</summary>
    internal PendingFeedback? Pending { get; init; }

    private static readonly ActorKeys EmptyActor = new();
}
