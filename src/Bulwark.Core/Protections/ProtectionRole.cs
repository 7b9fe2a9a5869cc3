namespace Bulwark.Core.Protections;

/// <summary>What a limit expanded from a preset does beyond counting, so the engine can treat it specially.</summary>
internal enum ProtectionRole : byte
{
    /// <summary>A plain limit.</summary>
    None,

    /// <summary>Login: failures per account in the short window; its count drives delays and the challenge.</summary>
    LoginAccountFailures,

    /// <summary>Login: failed attempts per address (<c>IpAttemptsCount: failures</c>); a reported outcome beats the status.</summary>
    LoginAddressFailures,

    /// <summary>Login: failures per account in the lockout window; never refuses itself, its charge may lock.</summary>
    LoginLockoutCount,

    /// <summary>Login: the lock, a one-token bucket that refills in the lockout time; empty means locked.</summary>
    LoginLock,

    /// <summary>OTP: keyed by the normalised destination.</summary>
    Destination,

    /// <summary>OTP: keyed by the destination's prefix (phone digits or e-mail domain).</summary>
    DestinationPrefix,

    /// <summary>Budget per API key: counts the route's cost in micro-dollars.</summary>
    KeyBudget,

    /// <summary>Budget per actor (session, else account, else address): counts the route's cost in micro-dollars.</summary>
    ActorBudget,
}
