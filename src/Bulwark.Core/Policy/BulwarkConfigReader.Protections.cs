using System.Globalization;
using Bulwark.Core.Protections;
using Microsoft.Extensions.Configuration;

namespace Bulwark.Core.Policy;

/// <summary>Reading of the presets of a policy: <c>Login</c>, <c>Otp</c> and <c>Budget</c>.</summary>
public static partial class BulwarkConfigReader
{
    internal static readonly string[] OtpKinds = ["auto", "phone", "email"];
    internal static readonly string[] IpAttemptsCounts = ["failures", "all"];

    private static readonly string[] LoginKeys =
    [
        "AccountFailures", "IpAttempts", "IpAttemptsCount", "IpAttemptsKey", "DelayAfterFailures", "MaxDelaySeconds", "ChallengeAfterFailures", "LockoutAfterFailures",
        "LockoutMinutes", "LockoutWindowHours", "LockoutBan", "FailureStatuses", "OutcomeHeader",
    ];

    private static readonly string[] OtpKeys = ["Field", "Kind", "PerDestination", "PerIp", "PerPrefix", "PrefixDigits", "DefaultCountryCode", "Global"];
    private static readonly string[] BudgetKeys = ["ApiKeyPerHourUsd", "ApiKeyPerDayUsd", "ActorPerHourUsd", "ActorPerDayUsd"];

    private sealed partial class Walker
    {
        private LoginOptions ReadLogin(IConfigurationSection section, string path)
        {
            var o = new LoginOptions();
            foreach (var (key, child, p) in Fields(section, path, LoginKeys, "the login preset"))
            {
                o = key switch
                {
                    "AccountFailures" => o with { AccountFailures = String(child, p) ?? "" },
                    "IpAttempts" => o with { IpAttempts = String(child, p) ?? "" },
                    "IpAttemptsCount" => o with { IpAttemptsCount = Enum(child, p, IpAttemptsCounts, "attempt count") ?? o.IpAttemptsCount },
                    "IpAttemptsKey" => o with { IpAttemptsKey = String(child, p) ?? o.IpAttemptsKey },
                    "DelayAfterFailures" => o with { DelayAfterFailures = Int(child, p) ?? o.DelayAfterFailures },
                    "MaxDelaySeconds" => o with { MaxDelaySeconds = Int(child, p) ?? o.MaxDelaySeconds },
                    "ChallengeAfterFailures" => o with { ChallengeAfterFailures = Int(child, p) ?? o.ChallengeAfterFailures },
                    "LockoutAfterFailures" => o with { LockoutAfterFailures = Int(child, p) ?? o.LockoutAfterFailures },
                    "LockoutMinutes" => o with { LockoutMinutes = Int(child, p) ?? o.LockoutMinutes },
                    "LockoutWindowHours" => o with { LockoutWindowHours = Int(child, p) ?? o.LockoutWindowHours },
                    "LockoutBan" => o with { LockoutBan = Bool(child, p) ?? o.LockoutBan },
                    "FailureStatuses" => o with { FailureStatuses = StringList(child, p) ?? o.FailureStatuses },
                    "OutcomeHeader" => o with { OutcomeHeader = String(child, p) ?? "" },
                    _ => o,
                };
            }

            return o;
        }

        private OtpOptions ReadOtp(IConfigurationSection section, string path)
        {
            var o = new OtpOptions();
            foreach (var (key, child, p) in Fields(section, path, OtpKeys, "the OTP preset"))
            {
                o = key switch
                {
                    "Field" => o with { Field = String(child, p) ?? o.Field },
                    "Kind" => o with { Kind = Enum(child, p, OtpKinds, "destination kind") ?? o.Kind },
                    "PerDestination" => o with { PerDestination = String(child, p) ?? "" },
                    "PerIp" => o with { PerIp = String(child, p) ?? "" },
                    "PerPrefix" => o with { PerPrefix = String(child, p) ?? "" },
                    "PrefixDigits" => o with { PrefixDigits = Int(child, p) ?? o.PrefixDigits },
                    "DefaultCountryCode" => o with { DefaultCountryCode = NullIfEmpty(String(child, p))?.Trim().TrimStart('+') },
                    "Global" => o with { Global = String(child, p) ?? "" },
                    _ => o,
                };
            }

            return o;
        }

        private BudgetOptions ReadBudget(IConfigurationSection section, string path)
        {
            var o = new BudgetOptions();
            foreach (var (key, child, p) in Fields(section, path, BudgetKeys, "the spending budgets"))
            {
                o = key switch
                {
                    "ApiKeyPerHourUsd" => o with { ApiKeyPerHourUsd = Decimal(child, p) ?? o.ApiKeyPerHourUsd },
                    "ApiKeyPerDayUsd" => o with { ApiKeyPerDayUsd = Decimal(child, p) ?? o.ApiKeyPerDayUsd },
                    "ActorPerHourUsd" => o with { ActorPerHourUsd = Decimal(child, p) ?? o.ActorPerHourUsd },
                    "ActorPerDayUsd" => o with { ActorPerDayUsd = Decimal(child, p) ?? o.ActorPerDayUsd },
                    _ => o,
                };
            }

            return o;
        }

        private decimal? Decimal(IConfigurationSection section, string path)
        {
            var text = String(section, path);
            if (string.IsNullOrEmpty(text))
            {
                return null;
            }

            if (decimal.TryParse(text, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var value))
            {
                return value;
            }

            errors.Add(new ConfigError(
                path,
                $"expected an amount in dollars, found \"{text}\"",
                "Write a number without quotes or currency sign, like 0.05."));
            return null;
        }
    }
}
