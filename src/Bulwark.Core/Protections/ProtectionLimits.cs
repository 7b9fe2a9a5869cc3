using System.Globalization;
using Bulwark.Core.Policy;

namespace Bulwark.Core.Protections;

/// <summary>
/// Expands a policy's presets (Login, Otp, Budget) into ordinary compiled limits, tagged with a
/// <see cref="ProtectionRole"/> where the engine must do more than count. Preset limits follow the policy's own limits,
/// so they go through the same single store call, all or nothing.
/// </summary>
internal static class ProtectionLimits
{
    /// <summary>Names the presets give their limits; a policy's own limits may not use them.</summary>
    public static readonly string[] ReservedNames =
    [
        LoginAttemptsIp, LoginFailuresAccount, LoginLockoutCount, LoginLock,
        OtpDestination, OtpIp, OtpPrefix, OtpGlobal,
        BudgetKeyHour, BudgetKeyDay, BudgetActorHour, BudgetActorDay,
    ];

    public const string LoginAttemptsIp = "login-attempts-ip";
    public const string LoginFailuresAccount = "login-failures-account";
    public const string LoginLockoutCount = "login-lockout-account";
    public const string LoginLock = "login-lock";
    public const string OtpDestination = "otp-destination";
    public const string OtpIp = "otp-ip";
    public const string OtpPrefix = "otp-prefix";
    public const string OtpGlobal = "otp-global";
    public const string BudgetKeyHour = "budget-key-hour";
    public const string BudgetKeyDay = "budget-key-day";
    public const string BudgetActorHour = "budget-actor-hour";
    public const string BudgetActorDay = "budget-actor-day";

    /// <summary>The limits <paramref name="options"/>' presets add to policy <paramref name="policyName"/>.</summary>
    public static List<CompiledLimit> Expand(string policyName, PolicyOptions options, CompiledLogin? login)
    {
        var limits = new List<CompiledLimit>();
        if (options.Login is { } l && login is not null)
        {
            AddLogin(limits, policyName, l, login);
        }

        if (options.Otp is { } otp)
        {
            AddOtp(limits, policyName, otp);
        }

        if (options.Budget is { } budget)
        {
            AddBudget(limits, policyName, BudgetKeyHour, budget.ApiKeyPerHourUsd, "h", ProtectionRole.KeyBudget);
            AddBudget(limits, policyName, BudgetKeyDay, budget.ApiKeyPerDayUsd, "d", ProtectionRole.KeyBudget);
            AddBudget(limits, policyName, BudgetActorHour, budget.ActorPerHourUsd, "h", ProtectionRole.ActorBudget);
            AddBudget(limits, policyName, BudgetActorDay, budget.ActorPerDayUsd, "d", ProtectionRole.ActorBudget);
        }

        return limits;
    }

    private static void AddLogin(List<CompiledLimit> limits, string policyName, LoginOptions options, CompiledLogin login)
    {
        if (!string.IsNullOrWhiteSpace(options.IpAttempts))
        {
            // Failed attempts by default: a shared address's people mostly succeed, an attacking address mostly fails.
            var failuresOnly = !string.Equals(options.IpAttemptsCount, "all", StringComparison.OrdinalIgnoreCase);
            limits.Add(new CompiledLimit(policyName, new LimitOptions
            {
                Name = LoginAttemptsIp, Key = options.IpAttemptsKey, Rate = options.IpAttempts, Algorithm = "sliding_window",
                Count = failuresOnly ? "failures" : "requests", FailureStatuses = options.FailureStatuses,
            })
            { Role = failuresOnly ? ProtectionRole.LoginAddressFailures : ProtectionRole.None, Login = login });
        }

        if (!string.IsNullOrWhiteSpace(options.AccountFailures))
        {
            limits.Add(new CompiledLimit(policyName, new LimitOptions
            {
                Name = LoginFailuresAccount, Key = "account", Rate = options.AccountFailures, Algorithm = "sliding_window",
                Count = "failures", FailureStatuses = options.FailureStatuses,
            })
            { Role = ProtectionRole.LoginAccountFailures, Login = login });
        }

        if (options.LockoutAfterFailures > 0)
        {
            // The lock: a one-token bucket refilling in the lockout time. Charged when the count is reached, it refuses
            // until the token is back, exactly LockoutMinutes later, on every gateway sharing the store.
            var lockLimit = new CompiledLimit(policyName, new LimitOptions
            {
                Name = LoginLock, Key = "account", Rate = $"1/{options.LockoutMinutes.ToString(CultureInfo.InvariantCulture)}min", Burst = 1,
            })
            { Role = ProtectionRole.LoginLock, Login = login };
            limits.Add(new CompiledLimit(policyName, new LimitOptions
            {
                Name = LoginLockoutCount, Key = "account",
                Rate = $"{options.LockoutAfterFailures.ToString(CultureInfo.InvariantCulture)}/{options.LockoutWindowHours.ToString(CultureInfo.InvariantCulture)}h",
                Algorithm = "sliding_window", Count = "failures", FailureStatuses = options.FailureStatuses,
            })
            { Role = ProtectionRole.LoginLockoutCount, Login = login, LockLimit = lockLimit });
            limits.Add(lockLimit);
        }
    }

    private static void AddOtp(List<CompiledLimit> limits, string policyName, OtpOptions options)
    {
        var field = "body:" + options.Field;
        var described = $"destination ({options.Field}, normalised)";
        if (!string.IsNullOrWhiteSpace(options.PerDestination))
        {
            limits.Add(new CompiledLimit(policyName, new LimitOptions { Name = OtpDestination, Key = field, Rate = options.PerDestination, Algorithm = "sliding_window" })
            { Role = ProtectionRole.Destination, Otp = options, KeyDescription = described });
        }

        if (!string.IsNullOrWhiteSpace(options.PerIp))
        {
            limits.Add(new CompiledLimit(policyName, new LimitOptions { Name = OtpIp, Key = "ip", Rate = options.PerIp, Algorithm = "sliding_window" }));
        }

        if (!string.IsNullOrWhiteSpace(options.PerPrefix))
        {
            limits.Add(new CompiledLimit(policyName, new LimitOptions { Name = OtpPrefix, Key = field, Rate = options.PerPrefix, Algorithm = "sliding_window" })
            { Role = ProtectionRole.DestinationPrefix, Otp = options, KeyDescription = $"destination prefix ({options.PrefixDigits.ToString(CultureInfo.InvariantCulture)} digits or e-mail domain)" });
        }

        if (!string.IsNullOrWhiteSpace(options.Global))
        {
            limits.Add(new CompiledLimit(policyName, new LimitOptions { Name = OtpGlobal, Key = "global", Rate = options.Global, Algorithm = "sliding_window" }));
        }
    }

    private static void AddBudget(List<CompiledLimit> limits, string policyName, string name, decimal usd, string unit, ProtectionRole role)
    {
        if (usd <= 0)
        {
            return;
        }

        limits.Add(new CompiledLimit(policyName, new LimitOptions
        {
            Name = name,
            Key = role == ProtectionRole.KeyBudget ? "api_key" : "session",
            Rate = $"{Money.ToMicros(usd).ToString(CultureInfo.InvariantCulture)}/{unit}",

            // Fixed windows: budgets are calendar hours and UTC days, and the count (micro-dollars) needs 64 bits.
            Algorithm = "fixed_window",
            Count = "cost",
        })
        { Role = role, KeyDescription = role == ProtectionRole.KeyBudget ? "api_key" : "actor (session, else account, else address)" });
    }
}
