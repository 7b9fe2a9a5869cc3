using System.Globalization;

namespace Bulwark.Core.Protections;

/// <summary>Dollars as whole micro-dollars, the unit budgets count in (a $0.05 call spends 50,000).</summary>
public static class Money
{
    /// <summary>Micro-dollars in a dollar.</summary>
    public const long MicrosPerDollar = 1_000_000;

    /// <summary>The most dollars a cost or budget may be (keeps micro-dollar counts far from overflow).</summary>
    public const decimal MaxUsd = 1_000_000_000m;

    /// <summary><paramref name="usd"/> in micro-dollars, rounded to the nearest.</summary>
    public static long ToMicros(decimal usd) => (long)decimal.Round(usd * MicrosPerDollar, MidpointRounding.AwayFromZero);

    /// <summary>Micro-dollars as dollars.</summary>
    public static decimal ToUsd(long micros) => micros / (decimal)MicrosPerDollar;

    /// <summary>Micro-dollars written like <c>$0.05</c> or <c>$0.0075</c> (at least two decimals, at most six).</summary>
    public static string Format(long micros) => "$" + ToUsd(micros).ToString("0.00####", CultureInfo.InvariantCulture);
}
