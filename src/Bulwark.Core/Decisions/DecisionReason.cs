namespace Bulwark.Core.Decisions;

/// <summary>One piece of evidence behind a decision: the signal that fired, its weight in the score, and why.</summary>
/// <param name="Signal">Stable snake_case signal name, for example <c>rate_limited</c> or <c>deny_list</c>.</param>
/// <param name="Weight">Points this signal added to the score (0 for reasons that decide on their own, such as a limit).</param>
/// <param name="Detail">Human-readable evidence. Never sent to the client; logged and written to decision records.</param>
public sealed record DecisionReason(string Signal, int Weight, string Detail);
