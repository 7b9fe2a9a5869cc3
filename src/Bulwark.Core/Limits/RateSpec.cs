using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Bulwark.Core.Limits;

/// <summary>
/// A rate written like <c>"100/min"</c>, <c>"5/h"</c>, <c>"10/30s"</c> or <c>"0/min"</c> (nothing allowed): permits per period.
/// Units: <c>s</c>/<c>sec</c>/<c>second</c>, <c>m</c>/<c>min</c>/<c>minute</c>, <c>h</c>/<c>hour</c>, <c>d</c>/<c>day</c>, optionally
/// preceded by a count (<c>"5/10min"</c>).
/// </summary>
public readonly record struct RateSpec(long Permits, TimeSpan Period)
{
    /// <summary>Permits per second.</summary>
    public double PerSecond => Permits / Period.TotalSeconds;

    /// <summary>Parses a rate, or returns false with a message that says what is wrong and how to write it.</summary>
    public static bool TryParse(string? text, out RateSpec rate, [NotNullWhen(false)] out string? error)
    {
        rate = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "a rate is required, written like \"100/min\", \"5/h\" or \"10/30s\"";
            return false;
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == text.Length - 1)
        {
            error = $"'{text}' is not a rate: write permits/period, like \"100/min\", \"5/h\" or \"10/30s\"";
            return false;
        }

        var countText = text.AsSpan(0, slash).Trim();
        if (!long.TryParse(countText, NumberStyles.None, CultureInfo.InvariantCulture, out var permits))
        {
            error = $"'{text}': the permit count '{countText}' must be a whole number of 0 or more";
            return false;
        }

        var periodText = text.AsSpan(slash + 1).Trim();
        var digits = 0;
        while (digits < periodText.Length && char.IsAsciiDigit(periodText[digits]))
        {
            digits++;
        }

        long multiplier = 1;
        if (digits > 0 && (!long.TryParse(periodText[..digits], NumberStyles.None, CultureInfo.InvariantCulture, out multiplier) || multiplier <= 0))
        {
            error = $"'{text}': the period count must be a whole number above 0";
            return false;
        }

        TimeSpan unit;
        switch (periodText[digits..].Trim().ToString().ToLowerInvariant())
        {
            case "s" or "sec" or "second" or "seconds":
                unit = TimeSpan.FromSeconds(1);
                break;
            case "m" or "min" or "minute" or "minutes":
                unit = TimeSpan.FromMinutes(1);
                break;
            case "h" or "hr" or "hour" or "hours":
                unit = TimeSpan.FromHours(1);
                break;
            case "d" or "day" or "days":
                unit = TimeSpan.FromDays(1);
                break;
            default:
                error = $"'{text}': unknown period unit '{periodText[digits..].ToString()}'; use s, min, h or day";
                return false;
        }

        rate = new RateSpec(permits, unit * multiplier);
        error = null;
        return true;
    }

    /// <summary>Parses a rate or throws <see cref="FormatException"/> with the reason.</summary>
    public static RateSpec Parse(string text) =>
        TryParse(text, out var rate, out var error) ? rate : throw new FormatException(error);

    /// <inheritdoc />
    public override string ToString() => Period switch
    {
        { TotalDays: 1 } => $"{Permits}/day",
        { TotalHours: 1 } => $"{Permits}/h",
        { TotalMinutes: 1 } => $"{Permits}/min",
        { TotalSeconds: 1 } => $"{Permits}/s",
        _ when Period.Ticks % TimeSpan.TicksPerDay == 0 => $"{Permits}/{Period.Ticks / TimeSpan.TicksPerDay}day",
        _ when Period.Ticks % TimeSpan.TicksPerHour == 0 => $"{Permits}/{Period.Ticks / TimeSpan.TicksPerHour}h",
        _ when Period.Ticks % TimeSpan.TicksPerMinute == 0 => $"{Permits}/{Period.Ticks / TimeSpan.TicksPerMinute}min",
        _ => $"{Permits}/{(long)Period.TotalSeconds}s",
    };
}
