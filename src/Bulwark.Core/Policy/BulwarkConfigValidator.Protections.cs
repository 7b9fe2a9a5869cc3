using Bulwark.Core.Limits;
using Bulwark.Core.Protections;

namespace Bulwark.Core.Policy;

/// <summary>Checks of the presets of a policy (<c>Login</c>, <c>Otp</c>, <c>Budget</c>) and of route costs in dollars.</summary>
public static partial class BulwarkConfigValidator
{
    private static void CheckProtections(List<ConfigError> errors, string path, PolicyOptions policy)
    {
        if (policy.Login is { } login)
        {
            CheckLogin(errors, ConfigPath.Property(path, "Login"), login);
        }

        if (policy.Otp is { } otp)
        {
            CheckOtp(errors, ConfigPath.Property(path, "Otp"), otp);
        }

        if (policy.Budget is { } budget)
        {
            var budgetPath = ConfigPath.Property(path, "Budget");
            CheckUsd(errors, ConfigPath.Property(budgetPath, "ApiKeyPerHourUsd"), budget.ApiKeyPerHourUsd, "budget");
            CheckUsd(errors, ConfigPath.Property(budgetPath, "ApiKeyPerDayUsd"), budget.ApiKeyPerDayUsd, "budget");
            CheckUsd(errors, ConfigPath.Property(budgetPath, "ActorPerHourUsd"), budget.ActorPerHourUsd, "budget");
            CheckUsd(errors, ConfigPath.Property(budgetPath, "ActorPerDayUsd"), budget.ActorPerDayUsd, "budget");
        }

        var limits = ConfigPath.Property(path, "Limits");
        for (var i = 0; i < policy.Limits.Count; i++)
        {
            var name = policy.Limits[i].Name;
            if (Array.Exists(ProtectionLimits.ReservedNames, r => string.Equals(r, name, StringComparison.OrdinalIgnoreCase)))
            {
                errors.Add(new ConfigError(
                    ConfigPath.Property(ConfigPath.Index(limits, i), "Name"),
                    $"limit name \"{name}\" is reserved for the Login, Otp and Budget presets",
                    "Rename the limit (for example with your own prefix); preset limits use the names " + string.Join(", ", ProtectionLimits.ReservedNames) + "."));
            }
        }
    }

    private static void CheckRouteCost(List<ConfigError> errors, string path, RouteOptions route) =>
        CheckUsd(errors, ConfigPath.Property(path, "CostUsd"), route.CostUsd, "cost");

    private static void CheckLogin(List<ConfigError> errors, string path, LoginOptions login)
    {
        CheckOptionalRate(errors, ConfigPath.Property(path, "AccountFailures"), login.AccountFailures);
        CheckOptionalRate(errors, ConfigPath.Property(path, "IpAttempts"), login.IpAttempts);
        CheckEnum(errors, ConfigPath.Property(path, "IpAttemptsCount"), login.IpAttemptsCount, BulwarkConfigReader.IpAttemptsCounts, "attempt count");
        CheckIpAttemptsKey(errors, ConfigPath.Property(path, "IpAttemptsKey"), login.IpAttemptsKey);
        CheckCount(errors, ConfigPath.Property(path, "DelayAfterFailures"), login.DelayAfterFailures, 0, 1000, "0 (no delays) or the failure count delays start at, like 3");
        CheckCount(errors, ConfigPath.Property(path, "MaxDelaySeconds"), login.MaxDelaySeconds, 1, 3600, "a number of seconds from 1 to 3600, like 30");
        CheckCount(errors, ConfigPath.Property(path, "ChallengeAfterFailures"), login.ChallengeAfterFailures, 0, 1000, "0 (no challenge) or the failure count challenges start at, like 3");
        CheckCount(errors, ConfigPath.Property(path, "LockoutAfterFailures"), login.LockoutAfterFailures, 0, 100_000, "0 (no lockout) or the failure count that locks, like 10");
        CheckCount(errors, ConfigPath.Property(path, "LockoutMinutes"), login.LockoutMinutes, 1, 10_080, "a number of minutes from 1 to 10080 (a week), like 60");
        CheckCount(errors, ConfigPath.Property(path, "LockoutWindowHours"), login.LockoutWindowHours, 1, 720, "a number of hours from 1 to 720, like 24");
        var statuses = ConfigPath.Property(path, "FailureStatuses");
        if (login.FailureStatuses.Count == 0)
        {
            errors.Add(new ConfigError(statuses, "no failure statuses are listed", "List the statuses that mean a failed login, like [\"401\", \"403\"]."));
        }

        for (var i = 0; i < login.FailureStatuses.Count; i++)
        {
            if (!IsStatusPattern(login.FailureStatuses[i]) || login.FailureStatuses[i].Trim().StartsWith('2'))
            {
                errors.Add(new ConfigError(
                    ConfigPath.Index(statuses, i),
                    $"\"{login.FailureStatuses[i]}\" is not a failure status",
                    "Write a status code or class from 100 to 599 other than 2xx (2xx means success), like \"401\" or \"4xx\"."));
            }
        }

        if (login.OutcomeHeader.Length > 0 && !login.OutcomeHeader.All(IsTokenChar))
        {
            errors.Add(new ConfigError(
                ConfigPath.Property(path, "OutcomeHeader"),
                $"\"{login.OutcomeHeader}\" is not a header name",
                "Write a header name like \"Bulwark-Login\" (letters, digits and dashes), or \"\" to ignore headers."));
        }
    }

    // The per-address attempt limit must count by address: a key without one would be a different limit under this name.
    private static void CheckIpAttemptsKey(List<ConfigError> errors, string path, string key)
    {
        const string Examples = "like \"ip\", \"ip+header:X-Device-Id\" or \"ip+fingerprint\"";
        if (!LimitKeySpec.TryParse(key, out var spec, out var problem))
        {
            errors.Add(new ConfigError(path, problem, $"Write a limit key that includes the client address, {Examples}."));
        }
        else if (!spec.Parts.Any(p => p.Kind is KeyPartKind.Ip or KeyPartKind.Subnet))
        {
            errors.Add(new ConfigError(path, $"key \"{key}\" does not include the client address",
                $"The per-address attempt limit counts by address: include 'ip' or 'subnet', {Examples}. Count by account with AccountFailures."));
        }
    }

    private static void CheckOtp(List<ConfigError> errors, string path, OtpOptions otp)
    {
        if (string.IsNullOrWhiteSpace(otp.Field))
        {
            errors.Add(new ConfigError(ConfigPath.Property(path, "Field"), "no destination field is named", "Name the top-level JSON body field with the phone number or e-mail address, like \"phone\"."));
        }

        CheckEnum(errors, ConfigPath.Property(path, "Kind"), otp.Kind, BulwarkConfigReader.OtpKinds, "destination kind");
        CheckOptionalRate(errors, ConfigPath.Property(path, "PerDestination"), otp.PerDestination);
        CheckOptionalRate(errors, ConfigPath.Property(path, "PerIp"), otp.PerIp);
        CheckOptionalRate(errors, ConfigPath.Property(path, "PerPrefix"), otp.PerPrefix);
        CheckOptionalRate(errors, ConfigPath.Property(path, "Global"), otp.Global);
        CheckCount(errors, ConfigPath.Property(path, "PrefixDigits"), otp.PrefixDigits, 1, 15, "a digit count from 1 to 15, like 5 (country and area code)");
        if (otp.DefaultCountryCode is { } code && (code.Length is < 1 or > 3 || !code.All(char.IsAsciiDigit) || code[0] == '0'))
        {
            errors.Add(new ConfigError(
                ConfigPath.Property(path, "DefaultCountryCode"),
                $"\"{code}\" is not a country calling code",
                "Write 1 to 3 digits without a leading zero, like \"44\" or \"1\", or leave it out."));
        }
    }

    private static void CheckOptionalRate(List<ConfigError> errors, string path, string rate)
    {
        if (!string.IsNullOrWhiteSpace(rate) && !RateSpec.TryParse(rate, out _, out var problem))
        {
            errors.Add(new ConfigError(path, problem, "Write the rate like \"5/h\", or \"\" to turn this limit off."));
        }
    }

    private static void CheckCount(List<ConfigError> errors, string path, int value, int min, int max, string hint)
    {
        if (value < min || value > max)
        {
            errors.Add(new ConfigError(path, $"{value} is out of range", $"Use {hint}."));
        }
    }

    private static void CheckUsd(List<ConfigError> errors, string path, decimal usd, string what)
    {
        if (usd < 0 || usd > Money.MaxUsd)
        {
            errors.Add(new ConfigError(path, $"{what} {usd} is out of range", $"Use an amount in dollars from 0 (none) to {Money.MaxUsd:0}, like 0.05."));
        }
        else if (usd > 0 && Money.ToMicros(usd) == 0)
        {
            errors.Add(new ConfigError(path, $"{what} {usd} is below a micro-dollar", "Use at least 0.000001 dollars, or 0 for none."));
        }
    }
}
