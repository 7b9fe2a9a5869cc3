namespace Bulwark.Core.Limits;

/// <summary>
/// Token bucket with continuous refill. State: <c>a</c> = deficit below full (see <see cref="BucketDeficit"/>),
/// <c>b</c> = the tick the deficit was last brought up to date. The zero state is a full bucket.
/// </summary>
internal static class TokenBucketAlgorithm
{
    /// <summary>Applies <paramref name="op"/> at <paramref name="nowTicks"/>; <paramref name="expiresAtTicks"/> is when the bucket is full again.</summary>
    public static CounterResult Apply(ref long a, ref long b, in CounterOperation op, long nowTicks, out long expiresAtTicks)
    {
        if (op.Permits == 0)
        {
            expiresAtTicks = nowTicks;
            return op.Mode == CounterMode.Release ? new CounterResult { Allowed = true } : CounterMath.Closed(op);
        }

        var deficit = a;
        var updatedAt = b;
        if (nowTicks > updatedAt)
        {
            // A clock that steps back refills nothing; it never un-refills either.
            var elapsed = nowTicks - updatedAt;
            var refilled = Math.BigMul(elapsed, op.Permits, out long low) != 0 || low < 0 ? long.MaxValue : low;
            deficit = refilled >= deficit ? 0 : deficit - refilled;
            updatedAt = nowTicks;
        }

        var result = BucketDeficit.Decide(ref deficit, op);
        a = deficit;
        b = updatedAt;
        expiresAtTicks = updatedAt + result.ResetAfterTicks;
        return result;
    }
}
