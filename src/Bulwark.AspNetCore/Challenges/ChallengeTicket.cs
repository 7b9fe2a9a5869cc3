namespace Bulwark.AspNetCore.Challenges;

/// <summary>One issued proof-of-work challenge, as the challenge page and the 401 body give it to the client.</summary>
/// <param name="Challenge">The signed challenge string.</param>
/// <param name="Difficulty">Leading zero bits SHA-256(challenge ‖ nonce) must have.</param>
/// <param name="Expires">Until when the solution is accepted.</param>
/// <param name="VerifyPath">Where the solution is posted.</param>
public sealed record ChallengeTicket(string Challenge, int Difficulty, DateTimeOffset Expires, string VerifyPath);
