namespace Bulwark.Core.Decisions;

/// <summary>
/// The stable reason codes a client may see in a refusal body. They say what kind of refusal it was, never which detector
/// fired: signals stay in the decision's reasons, which are only logged.
/// </summary>
public static class ReasonCodes
{
    /// <summary>The request was allowed.</summary>
    public const string Allowed = "allowed";

    /// <summary>No policy covers the request.</summary>
    public const string NotCovered = "not_covered";

    /// <summary>A rate limit refused or delayed the request.</summary>
    public const string RateLimited = "rate_limited";

    /// <summary>Too many requests of this client are in flight.</summary>
    public const string ConcurrencyLimited = "concurrency_limited";

    /// <summary>The client is on a deny list.</summary>
    public const string Denied = "denied";

    /// <summary>The client is under a manual or automatic ban.</summary>
    public const string Banned = "banned";

    /// <summary>The client is on an allow list.</summary>
    public const string AllowListed = "allow_listed";

    /// <summary>The request's risk score crossed the policy's threshold.</summary>
    public const string HighRisk = "high_risk";

    /// <summary>The request was passed on with a request for a second factor (header <c>Bulwark-Step-Up: required</c>).</summary>
    public const string StepUp = "step_up";

    /// <summary>The request must pass a challenge first.</summary>
    public const string ChallengeRequired = "challenge_required";

    /// <summary>A challenge would have stopped the request, but the client presented a valid pass (docs/challenge.md).</summary>
    public const string ChallengePassed = "challenge_passed";

    /// <summary>The login preset locked the account after too many failures (the same for accounts that do not exist).</summary>
    public const string LoginLocked = "login_locked";

    /// <summary>The shared state failed and the route's fail mode is closed.</summary>
    public const string Unavailable = "unavailable";

    /// <summary>The request does not conform to the API's OpenAPI document (400; the body names the failing JSON pointer).</summary>
    public const string SchemaInvalid = "schema_invalid";

    /// <summary>The API's OpenAPI document does not define the request's path (404, only with <c>Schema:RejectUndefinedRoutes</c>).</summary>
    public const string SchemaUndefinedRoute = "schema_undefined_route";

    /// <summary>The API's OpenAPI document defines the path but not the method (405, only with <c>Schema:RejectUndefinedRoutes</c>).</summary>
    public const string SchemaMethodNotAllowed = "schema_method_not_allowed";

    /// <summary>The request body is larger than <c>Identity:MaxBodyBytes</c> on an operation whose body is validated (413).</summary>
    public const string BodyTooLarge = "body_too_large";
}
