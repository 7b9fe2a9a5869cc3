namespace Bulwark.Core.Limits;

/// <summary>Saturating integer arithmetic shared by the counting algorithms (no floating point, so counts are exact).</summary>
internal static class CounterMath
{
    /// <summary>The retry-after reported when an operation can never pass (its cost exceeds the capacity).</summary>
    public const long Never = long.MaxValue;

    /// <summary><paramref name="a"/>·<paramref name="b"/> for non-negative operands, saturating at <see cref="long.MaxValue"/>.</summary>
    public static long MultiplySaturating(long a, long b)
    {
        var high = Math.BigMul(a, b, out long low);
        return high != 0 || low < 0 ? long.MaxValue : low;
    }

    /// <summary><paramref name="a"/> + <paramref name="b"/> for non-negative operands, saturating at <see cref="long.MaxValue"/>.</summary>
    public static long AddSaturating(long a, long b)
    {
        var sum = unchecked(a + b);
        return sum < a ? long.MaxValue : sum;
    }

    /// <summary>⌈<paramref name="a"/>/<paramref name="b"/>⌉ for <paramref name="a"/> ≥ 0 and <paramref name="b"/> &gt; 0.</summary>
    public static long CeilingDivide(long a, long b) => a == 0 ? 0 : ((a - 1) / b) + 1;

    /// <summary>The result for a limit of zero permits: everything is refused, and a retry is pointless before a period passes.</summary>
    public static CounterResult Closed(in CounterOperation op) => new()
    {
        Allowed = false,
        Spent = false,
        Remaining = 0,
        ResetAfterTicks = op.PeriodTicks,
        RetryAfterTicks = op.PeriodTicks,
    };
}
