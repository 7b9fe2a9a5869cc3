namespace Bulwark.Core.Limits;

/// <summary>
/// Weighted two-window approximation. Windows are aligned to multiples of <c>PeriodTicks</c>; the estimate at elapsed
/// time e into the current window is previous·(Period − e)/Period + current, compared exactly (scaled by Period, in
/// 128-bit arithmetic), which is what makes the bounds in <see cref="LimitAlgorithm.SlidingWindow"/> hold without an
/// off-by-one. State: <c>a</c> = current window index, <c>b</c> = previous count (high 32 bits) and current count
/// (low 32 bits); counts saturate at 2³²−1. The zero state is window 0 with no counts, which reads as fresh.
/// </summary>
internal static class SlidingWindowAlgorithm
{
    private const long MaxCount = uint.MaxValue;

    /// <summary>Applies <paramref name="op"/> at <paramref name="nowTicks"/>; <paramref name="expiresAtTicks"/> is when both counted windows have passed.</summary>
    public static CounterResult Apply(ref long a, ref long b, in CounterOperation op, long nowTicks, out long expiresAtTicks)
    {
        if (op.Permits == 0)
        {
            expiresAtTicks = nowTicks;
            return op.Mode == CounterMode.Release ? new CounterResult { Allowed = true } : CounterMath.Closed(op);
        }

        var period = op.PeriodTicks;
        var window = nowTicks / period;
        var elapsed = nowTicks - (window * period);
        var previous = (long)((ulong)b >> 32);
        var current = (long)(uint)b;
        if (window == a + 1)
        {
            previous = current;
            current = 0;
        }
        else if (window > a + 1)
        {
            previous = 0;
            current = 0;
        }
        else if (window < a)
        {
            // The clock stepped back across a boundary: count in the stored window, as if at its start.
            window = a;
            elapsed = 0;
        }

        // Everything below is scaled by the period: estimate·P = previous·(P − e) + current·P.
        var limit = (Int128)op.Permits * period;
        var previousWeight = (Int128)previous * (period - elapsed);
        var fits = previousWeight + ((Int128)CounterMath.AddSaturating(current, op.Cost) * period) <= limit;
        var result = default(CounterResult);
        switch (op.Mode)
        {
            case CounterMode.Acquire or CounterMode.Peek:
                if (fits)
                {
                    result.Allowed = true;
                    if (op.Mode == CounterMode.Acquire)
                    {
                        current = Math.Min(CounterMath.AddSaturating(current, op.Cost), MaxCount);
                        result.Spent = true;
                    }
                }
                else
                {
                    result.RetryAfterTicks = RetryAfter(previous, current, op.Cost, op.Permits, period, elapsed);
                }

                break;
            case CounterMode.Charge:
                // Overdraw by at most one full limit, so charged failures lock the key out for at most one more window.
                result.Allowed = fits;
                result.Spent = true;
                current = Math.Min(Math.Min(CounterMath.AddSaturating(current, op.Cost), Math.Max(current, CounterMath.MultiplySaturating(2, op.Permits))), MaxCount);
                break;
            default:
                result.Allowed = true;
                break;
        }

        a = window;
        b = (long)(((ulong)previous << 32) | (ulong)current);
        var left = limit - previousWeight - ((Int128)current * period);
        result.Remaining = left <= 0 ? 0 : left <= long.MaxValue ? (long)left / period : (long)(left / period);
        var windowEnd = (window + 1) * period;
        expiresAtTicks = current > 0 ? windowEnd + period : previous > 0 ? windowEnd : nowTicks;
        result.ResetAfterTicks = expiresAtTicks - nowTicks;
        return result;
    }

    /// <summary>The wait until an operation of <paramref name="cost"/> fits, or <see cref="CounterMath.Never"/> if it never can.</summary>
    private static long RetryAfter(long previous, long current, long cost, long permits, long period, long elapsed)
    {
        if (cost > permits)
        {
            return CounterMath.Never;
        }

        if (current + cost <= permits && previous > 0)
        {
            // Within this window once the previous window's weight has decayed enough: previous·(P − e′) ≤ (N − current − cost)·P.
            var slack = (long)((Int128)(permits - current - cost) * period / previous);
            if (slack >= 1)
            {
                return period - slack - elapsed;
            }
        }

        // In the next window, where this window's count becomes the previous one: current·(P − e″) ≤ (N − cost)·P.
        var nextSlack = current == 0 ? period : (long)Int128.Min((Int128)(permits - cost) * period / current, period);
        return period - elapsed + (period - nextSlack);
    }
}
