namespace Bulwark.Core.Replay;

/// <summary>One request record (CONTRACTS.md §2) with what the engine needs and what replay reports.</summary>
/// <param name="Line">1-based line number in the input.</param>
/// <param name="Request">The request as the engine sees it.</param>
/// <param name="Status">What the upstream answered, if recorded.</param>
/// <param name="LatencyMs">How long the upstream took, if recorded.</param>
/// <param name="Label">The record's label (<c>legit</c>, <c>legit:kind</c>, <c>attack:kind</c>), if any.</param>
public sealed record RequestRecord(long Line, RequestContext Request, int? Status, double? LatencyMs, string? Label);
