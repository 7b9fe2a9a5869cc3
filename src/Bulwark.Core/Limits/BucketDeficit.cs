using System.Diagnostics;

namespace Bulwark.Core.Limits;

/// <summary>
/// The decision shared by the token bucket and GCRA, which are the same limit seen two ways. Both reduce their state to a
/// <em>deficit</em>: how far the bucket is below full, in units where one token is <c>PeriodTicks</c> units and one tick
/// of time refills <c>Permits</c> units. Integer units keep every count exact (no rounding of Permits/Period).
/// A deficit above the capacity is debt (negative tokens), from delayed admission or Charge.
/// </summary>
internal static class BucketDeficit
{
    /// <summary>
    /// Applies <paramref name="op"/> to <paramref name="deficit"/> (already refilled to now). Charge may push the bucket into
    /// debt down to −Burst tokens and no further, so a flood of charged failures locks a key out for at most two full
    /// refills; debt from delayed admission is bounded by MaxDelayTicks instead.
    /// </summary>
    public static CounterResult Decide(ref long deficit, in CounterOperation op)
    {
        Debug.Assert(op.Permits > 0 && deficit >= 0);
        var capacity = CounterMath.MultiplySaturating(op.Burst, op.PeriodTicks);
        var need = CounterMath.MultiplySaturating(op.Cost, op.PeriodTicks);
        var d = deficit;
        var result = default(CounterResult);
        var shortfall = CounterMath.AddSaturating(d, need) - capacity;
        switch (op.Mode)
        {
            case CounterMode.Acquire or CounterMode.Peek:
                if (op.Cost > op.Burst)
                {
                    result.RetryAfterTicks = CounterMath.Never;
                }
                else if (shortfall <= 0)
                {
                    result.Allowed = true;
                    if (op.Mode == CounterMode.Acquire)
                    {
                        d += need;
                        result.Spent = true;
                    }
                }
                else
                {
                    var wait = CounterMath.CeilingDivide(shortfall, op.Permits);
                    if (op.Mode == CounterMode.Acquire && wait <= op.MaxDelayTicks)
                    {
                        // Admitted late: spend now so the next request queues behind this one (progressive delay).
                        d = CounterMath.AddSaturating(d, need);
                        result.Allowed = true;
                        result.Spent = true;
                        result.DelayTicks = wait;
                    }
                    else
                    {
                        result.RetryAfterTicks = wait;
                    }
                }

                break;
            case CounterMode.Charge:
                result.Allowed = shortfall <= 0 && op.Cost <= op.Burst;
                result.Spent = true;
                d = Math.Min(CounterMath.AddSaturating(d, need), Math.Max(d, CounterMath.MultiplySaturating(2, capacity)));
                break;
            default:
                // Release means nothing to a bucket: leases are a concurrency notion.
                result.Allowed = true;
                break;
        }

        deficit = d;
        result.Remaining = d >= capacity ? 0 : (capacity - d) / op.PeriodTicks;
        result.ResetAfterTicks = CounterMath.CeilingDivide(d, op.Permits);
        return result;
    }
}
