namespace Bulwark.Core.Protections;

/// <summary>The login preset of a policy, ready to apply: the thresholds the engine checks after counting.</summary>
public sealed class CompiledLogin
{
    internal CompiledLogin(LoginOptions options)
    {
        DelayAfterFailures = options.DelayAfterFailures;
        MaxDelay = TimeSpan.FromSeconds(options.MaxDelaySeconds);
        ChallengeAfterFailures = options.ChallengeAfterFailures;
        LockoutAfterFailures = options.LockoutAfterFailures;
        Lockout = TimeSpan.FromMinutes(options.LockoutMinutes);
        LockoutBan = options.LockoutBan;
        OutcomeHeader = string.IsNullOrWhiteSpace(options.OutcomeHeader) ? null : options.OutcomeHeader.Trim();
    }

    /// <summary>Failures from which attempts are delayed; 0 never.</summary>
    public int DelayAfterFailures { get; }

    /// <summary>The longest progressive delay.</summary>
    public TimeSpan MaxDelay { get; }

    /// <summary>Failures from which attempts are challenged; 0 never.</summary>
    public int ChallengeAfterFailures { get; }

    /// <summary>Failures in the lockout window that lock the account; 0 never.</summary>
    public int LockoutAfterFailures { get; }

    /// <summary>How long a lockout lasts.</summary>
    public TimeSpan Lockout { get; }

    /// <summary>Whether a lockout also bans the account through the engine's ban list.</summary>
    public bool LockoutBan { get; }

    /// <summary>The response header the application reports outcomes in, or null.</summary>
    public string? OutcomeHeader { get; }

    /// <summary>The progressive delay after <paramref name="failures"/> failures: 0 below the threshold, then 2 s, 4 s, 8 s … capped.</summary>
    public TimeSpan DelayFor(long failures)
    {
        if (DelayAfterFailures <= 0 || failures < DelayAfterFailures)
        {
            return TimeSpan.Zero;
        }

        var exponent = failures - DelayAfterFailures + 1;
        var seconds = exponent >= 30 ? MaxDelay.TotalSeconds : Math.Min(1L << (int)exponent, MaxDelay.TotalSeconds);
        return TimeSpan.FromSeconds(seconds);
    }

    /// <summary>Parses an outcome header value: <c>success</c> or <c>failure</c> (case-insensitive, trimmed); anything else is unknown.</summary>
    public static LoginOutcome ParseOutcome(string? value)
    {
        var text = value.AsSpan().Trim();
        if (text.Equals("success", StringComparison.OrdinalIgnoreCase))
        {
            return LoginOutcome.Success;
        }

        return text.Equals("failure", StringComparison.OrdinalIgnoreCase) ? LoginOutcome.Failure : LoginOutcome.Unknown;
    }
}
