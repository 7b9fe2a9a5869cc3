namespace Bulwark.Core.Limits;

/// <summary>
/// Fixed windows aligned to multiples of <c>PeriodTicks</c>. State: <c>a</c> = window index, <c>b</c> = count in it.
/// The zero state is window 0 with no count, which reads as fresh.
/// </summary>
internal static class FixedWindowAlgorithm
{
    /// <summary>Applies <paramref name="op"/> at <paramref name="nowTicks"/>; <paramref name="expiresAtTicks"/> is the end of the counted window.</summary>
    public static CounterResult Apply(ref long a, ref long b, in CounterOperation op, long nowTicks, out long expiresAtTicks)
    {
        if (op.Permits == 0)
        {
            expiresAtTicks = nowTicks;
            return op.Mode == CounterMode.Release ? new CounterResult { Allowed = true } : CounterMath.Closed(op);
        }

        var period = op.PeriodTicks;
        var window = nowTicks / period;
        var count = b;
        if (window > a)
        {
            count = 0;
        }
        else
        {
            // Same window, or the clock stepped back: keep counting in the stored window.
            window = a;
        }

        var windowEnd = (window + 1) * period;
        var fits = CounterMath.AddSaturating(count, op.Cost) <= op.Permits;
        var result = default(CounterResult);
        switch (op.Mode)
        {
            case CounterMode.Acquire or CounterMode.Peek:
                if (fits)
                {
                    result.Allowed = true;
                    if (op.Mode == CounterMode.Acquire)
                    {
                        count += op.Cost;
                        result.Spent = true;
                    }
                }
                else
                {
                    result.RetryAfterTicks = op.Cost > op.Permits ? CounterMath.Never : Math.Max(windowEnd - nowTicks, 1);
                }

                break;
            case CounterMode.Charge:
                // Overdraw by at most one full limit; the window's end forgives it anyway.
                result.Allowed = fits;
                result.Spent = true;
                count = Math.Min(CounterMath.AddSaturating(count, op.Cost), Math.Max(count, CounterMath.MultiplySaturating(2, op.Permits)));
                break;
            default:
                result.Allowed = true;
                break;
        }

        a = window;
        b = count;
        result.Remaining = Math.Max(op.Permits - count, 0);
        expiresAtTicks = count > 0 ? windowEnd : nowTicks;
        result.ResetAfterTicks = Math.Max(expiresAtTicks - nowTicks, 0);
        return result;
    }
}
