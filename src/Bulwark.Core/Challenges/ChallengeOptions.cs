namespace Bulwark.Core.Challenges;

/// <summary>
/// <c>Bulwark:Challenge</c>: the proof-of-work challenge that "challenge" decisions ask for, and the pass cookie that
/// solving it earns (docs/challenge.md).
/// </summary>
public sealed record ChallengeOptions
{
    /// <summary>Whether challenges can be solved at all. Default true; false keeps a challenge a refusal (the old behaviour).</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>
    /// Leading zero bits the SHA-256 of challenge and nonce must have. Default 16: about 65 000 hashes on average, which
    /// headless Chromium did in about 0.65 s on a loaded 2-core machine (docs/challenge.md gives the measurement). Each bit doubles the work.
    /// </summary>
    public int Difficulty { get; init; } = 16;

    /// <summary>How long a challenge may be solved and submitted, in seconds. Default 300.</summary>
    public int ChallengeSeconds { get; init; } = 300;

    /// <summary>How long a pass cookie satisfies challenges, in minutes. Default 30.</summary>
    public int PassMinutes { get; init; } = 30;

    /// <summary>
    /// The HMAC-SHA256 key (at least 32 characters) that signs challenges and passes. Default null: a random key per process,
    /// so passes do not survive a restart and are not honoured by another gateway; set it when gateways share state.
    /// </summary>
    public string? Key { get; init; }

    /// <summary>The name of the pass cookie. Default <c>bulwark_pass</c>.</summary>
    public string CookieName { get; init; } = "bulwark_pass";
}
