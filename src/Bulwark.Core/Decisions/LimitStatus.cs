namespace Bulwark.Core.Decisions;

/// <summary>The state of one rate limit after a request was counted against it.</summary>
/// <param name="Name">The limit's name from the policy (the IETF <c>RateLimit</c> header's policy item).</param>
/// <param name="Quota">Permits per window (the header's <c>q</c>).</param>
/// <param name="WindowSeconds">Window length in seconds (the header's <c>w</c>).</param>
/// <param name="Remaining">Permits left now (the header's <c>r</c>).</param>
/// <param name="ResetSeconds">Seconds until the quota is whole again (the header's <c>t</c>).</param>
/// <param name="Allowed">Whether this limit let the request through.</param>
/// <param name="RetryAfterSeconds">When refused: seconds until a retry can succeed.</param>
public sealed record LimitStatus(string Name, long Quota, long WindowSeconds, long Remaining, long ResetSeconds, bool Allowed, long RetryAfterSeconds);
