namespace Bulwark.Core.Limits;

/// <summary>
/// At most <c>Permits</c> in flight. State: <c>a</c> = in-flight count, <c>b</c> = last touch. A counter with leases out
/// expires <see cref="LeaseSafetyTtlTicks"/> after its last touch, so leases leaked by a crashed request cannot block a
/// key forever. The zero state is nothing in flight.
/// </summary>
internal static class ConcurrencyAlgorithm
{
    /// <summary>Ten minutes: how long an untouched counter with leases out is kept.</summary>
    public const long LeaseSafetyTtlTicks = 10 * TimeSpan.TicksPerMinute;

    /// <summary>
    /// Applies <paramref name="op"/> at <paramref name="nowTicks"/>. A refusal reports RetryAfter 0 (cost within the
    /// ceiling) because when a slot frees depends on other requests finishing, not on time.
    /// </summary>
    public static CounterResult Apply(ref long a, ref long b, in CounterOperation op, long nowTicks, out long expiresAtTicks)
    {
        var inFlight = a;
        var touchedAt = b;
        var fits = CounterMath.AddSaturating(inFlight, op.Cost) <= op.Permits;
        var result = default(CounterResult);
        switch (op.Mode)
        {
            case CounterMode.Acquire or CounterMode.Peek:
                if (fits && op.Permits > 0)
                {
                    result.Allowed = true;
                    if (op.Mode == CounterMode.Acquire)
                    {
                        inFlight += op.Cost;
                        touchedAt = nowTicks;
                        result.Spent = true;
                    }
                }
                else
                {
                    result.RetryAfterTicks = op.Cost > op.Permits ? CounterMath.Never : 0;
                }

                break;
            case CounterMode.Charge:
                result.Allowed = fits && op.Permits > 0;
                result.Spent = true;
                inFlight = CounterMath.AddSaturating(inFlight, op.Cost);
                touchedAt = nowTicks;
                break;
            default:
                // Release: never below zero, so a duplicate release cannot mint extra slots.
                result.Allowed = true;
                result.Spent = true;
                inFlight = Math.Max(inFlight - op.Cost, 0);
                touchedAt = nowTicks;
                break;
        }

        a = inFlight;
        b = touchedAt;
        result.Remaining = Math.Max(op.Permits - inFlight, 0);
        expiresAtTicks = inFlight > 0 ? touchedAt + LeaseSafetyTtlTicks : nowTicks;
        return result;
    }
}
