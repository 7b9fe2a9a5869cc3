namespace Bulwark.Core.Protections;

/// <summary>
/// The login preset of a policy (<c>Policies:NAME:Login</c>): per-account failure limits, a per-address attempt limit,
/// progressive delays, a challenge and an account lockout, expanded into the policy's limits. Every number is
/// configurable; 0 (or an empty rate) turns that part off. See docs/protections.md.
/// </summary>
public sealed record LoginOptions
{
    /// <summary>Failed attempts allowed per account, like <c>"5/h"</c> (default 5 an hour, sliding window); then 429 until the window slides.</summary>
    public string AccountFailures { get; init; } = "5/h";

    /// <summary>
    /// Attempts allowed per client address, like <c>"100/h"</c> (default 100 an hour, sliding window). Which attempts count
    /// is <see cref="IpAttemptsCount"/> (default: failed ones); what "address" means is <see cref="IpAttemptsKey"/>.
    /// </summary>
    public string IpAttempts { get; init; } = "100/h";

    /// <summary>
    /// Which attempts <see cref="IpAttempts"/> counts: <c>failures</c> (default: attempts the application answered as
    /// failed, so hundreds of people succeeding from one carrier-grade NAT or VPN address are not refused) or <c>all</c>
    /// (every attempt, whatever the outcome). See docs/protections.md for what each weakens against.
    /// </summary>
    public string IpAttemptsCount { get; init; } = "failures";

    /// <summary>
    /// The key <see cref="IpAttempts"/> counts under (default <c>ip</c>): a limit key that includes the client address
    /// (<c>ip</c> or <c>subnet</c>), optionally narrowed by a device dimension, like <c>ip+header:X-Device-Id</c> or
    /// <c>ip+fingerprint</c>, so each device behind a shared address gets its own budget.
    /// </summary>
    public string IpAttemptsKey { get; init; } = "ip";

    /// <summary>
    /// From this many failures of the account within the <see cref="AccountFailures"/> window, attempts are held
    /// 2^(f − DelayAfterFailures + 1) seconds for f failures: 2 s after the 3rd, 4 s after the 4th … (default 3).
    /// </summary>
    public int DelayAfterFailures { get; init; } = 3;

    /// <summary>The longest progressive delay, in seconds (default 30).</summary>
    public int MaxDelaySeconds { get; init; } = 30;

    /// <summary>From this many failures of the account within the <see cref="AccountFailures"/> window, attempts are challenged (401) (default 3).</summary>
    public int ChallengeAfterFailures { get; init; } = 3;

    /// <summary>This many failures of the account within <see cref="LockoutWindowHours"/> lock it (default 10).</summary>
    public int LockoutAfterFailures { get; init; } = 10;

    /// <summary>How long a lockout lasts, in minutes (default 60). A failure after it ends, still within the window, locks again.</summary>
    public int LockoutMinutes { get; init; } = 60;

    /// <summary>The window the lockout failures are counted in, in hours (default 24).</summary>
    public int LockoutWindowHours { get; init; } = 24;

    /// <summary>Also ban the account on every route through the engine's ban list while it is locked (default false: only logins are locked).</summary>
    public bool LockoutBan { get; init; }

    /// <summary>Upstream statuses that mean the login failed (default 401 and 403); codes or classes like <c>4xx</c>.</summary>
    public IReadOnlyList<string> FailureStatuses { get; init; } = ["401", "403"];

    /// <summary>
    /// Response header the application may set to <c>success</c> or <c>failure</c> to report the outcome whatever the
    /// status (default <c>Bulwark-Login</c>). Front doors remove it before the client sees it. Empty: headers are ignored.
    /// </summary>
    public string OutcomeHeader { get; init; } = "Bulwark-Login";
}
