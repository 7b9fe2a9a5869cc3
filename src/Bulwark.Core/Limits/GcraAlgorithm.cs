namespace Bulwark.Core.Limits;

/// <summary>
/// GCRA: one theoretical arrival time (TAT) per key, kept exactly as <c>a + b/Permits</c> ticks (<c>a</c> whole ticks,
/// <c>b</c> the remainder), so the emission interval Period/Permits needs no rounding. Admits when
/// TAT − now ≤ (Burst − Cost)·T and moves TAT to max(TAT, now) + Cost·T. TAT − now, scaled by Permits, is the token
/// bucket's deficit, which is how the two share <see cref="BucketDeficit"/>. The zero state is a TAT in the past.
/// </summary>
internal static class GcraAlgorithm
{
    /// <summary>Applies <paramref name="op"/> at <paramref name="nowTicks"/>; <paramref name="expiresAtTicks"/> is the TAT (rounded up).</summary>
    public static CounterResult Apply(ref long a, ref long b, in CounterOperation op, long nowTicks, out long expiresAtTicks)
    {
        if (op.Permits == 0)
        {
            expiresAtTicks = nowTicks;
            return op.Mode == CounterMode.Release ? new CounterResult { Allowed = true } : CounterMath.Closed(op);
        }

        var tatWhole = a;
        var tatFraction = b;
        long deficit;
        if (tatWhole > nowTicks)
        {
            deficit = CounterMath.AddSaturating(CounterMath.MultiplySaturating(tatWhole - nowTicks, op.Permits), tatFraction);
        }
        else
        {
            deficit = tatWhole == nowTicks ? tatFraction : 0;
        }

        var result = BucketDeficit.Decide(ref deficit, op);
        a = nowTicks + (deficit / op.Permits);
        b = deficit % op.Permits;
        expiresAtTicks = b == 0 ? a : a + 1;
        return result;
    }
}
