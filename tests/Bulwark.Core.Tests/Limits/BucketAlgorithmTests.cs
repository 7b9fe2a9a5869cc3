using Bulwark.Core.Limits;
using static Bulwark.Core.Tests.Limits.CounterTestKit;

namespace Bulwark.Core.Tests.Limits;

/// <summary>The token bucket and GCRA are the same limit, so they share these expectations exactly.</summary>
public sealed class BucketAlgorithmTests
{
    // 10 per 1000 ticks: one token every 100 ticks.
    private const long Interval = Period / 10;

    [Theory]
    [InlineData(LimitAlgorithm.TokenBucket)]
    [InlineData(LimitAlgorithm.Gcra)]
    public void Admits_exactly_the_burst_then_reports_retry_after_one_emission_interval(LimitAlgorithm algorithm)
    {
        var store = new InMemoryCounterStore();
        var op = Op(algorithm, permits: 10);
        for (var i = 1; i <= 10; i++)
        {
            var result = store.Apply(op, T0);
            Assert.True(result.Allowed && result.Spent);
            Assert.Equal(10 - i, result.Remaining);
            Assert.Equal(i * Interval, result.ResetAfterTicks);
            Assert.Equal(0, result.RetryAfterTicks);
        }

        var refused = store.Apply(op, T0);
        Assert.False(refused.Allowed);
        Assert.False(refused.Spent);
        Assert.Equal(0, refused.Remaining);
        Assert.Equal(Interval, refused.RetryAfterTicks);
        Assert.Equal(Period, refused.ResetAfterTicks);
    }

    [Theory]
    [InlineData(LimitAlgorithm.TokenBucket)]
    [InlineData(LimitAlgorithm.Gcra)]
    public void Refills_continuously_to_the_tick(LimitAlgorithm algorithm)
    {
        var store = new InMemoryCounterStore();
        var op = Op(algorithm, permits: 10);
        for (var i = 0; i < 10; i++)
        {
            store.Apply(op, T0);
        }

        var early = store.Apply(op, T0 + Interval - 1);
        Assert.False(early.Allowed);
        Assert.Equal(1, early.RetryAfterTicks);
        Assert.True(store.Apply(op, T0 + Interval).Allowed);

        // 350 ticks later 3.5 tokens have come back: Remaining is the whole part.
        var peek = store.Apply(op.With(CounterMode.Peek, cost: 0), T0 + Interval + 350);
        Assert.Equal(3, peek.Remaining);
        Assert.Equal(Period - 350, peek.ResetAfterTicks);

        // A cost of 5 waits for the missing 1.5 tokens.
        var big = store.Apply(op.With(CounterMode.Acquire, cost: 5), T0 + Interval + 350);
        Assert.False(big.Allowed);
        Assert.Equal(150, big.RetryAfterTicks);
    }

    [Theory]
    [InlineData(LimitAlgorithm.TokenBucket)]
    [InlineData(LimitAlgorithm.Gcra)]
    public void Burst_above_the_rate_caps_the_bucket_not_the_refill(LimitAlgorithm algorithm)
    {
        var store = new InMemoryCounterStore();
        var op = Op(algorithm, permits: 10, burst: 25);
        var admitted = 0;
        while (store.Apply(op, T0).Allowed)
        {
            admitted++;
        }

        Assert.Equal(25, admitted);
        var later = store.Apply(op.With(CounterMode.Peek, cost: 0), T0 + (10 * Period));
        Assert.Equal(25, later.Remaining);
    }

    [Fact]
    public void Gcra_keeps_a_fractional_emission_interval_exact()
    {
        // 3 per 10 ticks: T = 3⅓ ticks. A burst of 3 moves the TAT to exactly now + 10 (rounding T to 3 would say 9),
        // and the 4th waits the exact 10 − 2·3⅓ = 3⅓ ticks, rounded up to 4.
        var store = new InMemoryCounterStore();
        var op = Op(LimitAlgorithm.Gcra, permits: 3, burst: 3, period: 10);
        for (var i = 0; i < 3; i++)
        {
            Assert.True(store.Apply(op, T0).Allowed);
        }

        var refused = store.Apply(op, T0);
        Assert.False(refused.Allowed);
        Assert.Equal(4, refused.RetryAfterTicks);
        Assert.Equal(10, refused.ResetAfterTicks);
        Assert.False(store.Apply(op, T0 + 3).Allowed);
        Assert.True(store.Apply(op, T0 + 4).Allowed);

        // Polled every tick without burst, a client is admitted at the first whole tick at or after each TAT: 0, 4, 8.
        var paced = new InMemoryCounterStore();
        var single = Op(LimitAlgorithm.Gcra, permits: 3, burst: 1, period: 10);
        var admitted = new List<long>();
        for (var t = T0; t <= T0 + 10; t++)
        {
            if (paced.Apply(single, t).Allowed)
            {
                admitted.Add(t - T0);
            }
        }

        Assert.Equal([0L, 4L, 8L], admitted);
    }

    [Theory]
    [InlineData(LimitAlgorithm.TokenBucket)]
    [InlineData(LimitAlgorithm.Gcra)]
    public void Zero_permits_refuses_everything(LimitAlgorithm algorithm)
    {
        var store = new InMemoryCounterStore();
        var op = Op(algorithm, permits: 0);
        var result = store.Apply(op, T0);
        Assert.False(result.Allowed);
        Assert.Equal(Period, result.RetryAfterTicks);
        Assert.False(store.Apply(op.With(CounterMode.Peek), T0).Allowed);
        Assert.False(store.Apply(op.With(CounterMode.Charge), T0).Spent);
        Assert.Equal(0, store.Count);
    }

    [Theory]
    [InlineData(LimitAlgorithm.TokenBucket)]
    [InlineData(LimitAlgorithm.Gcra)]
    public void Peek_never_spends_charge_always_does_and_release_is_ignored(LimitAlgorithm algorithm)
    {
        var store = new InMemoryCounterStore();
        var op = Op(algorithm, permits: 10);
        for (var i = 0; i < 50; i++)
        {
            var peek = store.Apply(op.With(CounterMode.Peek), T0);
            Assert.True(peek.Allowed);
            Assert.False(peek.Spent);
            Assert.Equal(10, peek.Remaining);
        }

        var charged = store.Apply(op.With(CounterMode.Charge, cost: 10), T0);
        Assert.True(charged.Allowed && charged.Spent);
        Assert.Equal(0, charged.Remaining);

        var overdrawn = store.Apply(op.With(CounterMode.Charge, cost: 3), T0);
        Assert.False(overdrawn.Allowed);
        Assert.True(overdrawn.Spent);

        // Charging clamps the debt at −Burst tokens: a flood of failures costs at most two full refills.
        store.Apply(op.With(CounterMode.Charge, cost: 1_000), T0);
        var locked = store.Apply(op.With(CounterMode.Peek), T0);
        Assert.False(locked.Allowed);
        Assert.Equal(11 * Interval, locked.RetryAfterTicks);
        Assert.Equal(2 * Period, locked.ResetAfterTicks);

        var release = store.Apply(op.With(CounterMode.Release), T0);
        Assert.True(release.Allowed);
        Assert.False(release.Spent);
        Assert.Equal(11 * Interval, store.Apply(op.With(CounterMode.Peek), T0).RetryAfterTicks);
    }

    [Theory]
    [InlineData(LimitAlgorithm.TokenBucket)]
    [InlineData(LimitAlgorithm.Gcra)]
    public void Delay_mode_admits_late_with_growing_waits_up_to_the_cap(LimitAlgorithm algorithm)
    {
        var store = new InMemoryCounterStore();
        var op = Op(algorithm, permits: 10, maxDelay: 3 * Interval);
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(0, store.Apply(op, T0).DelayTicks);
        }

        for (var i = 1; i <= 3; i++)
        {
            var late = store.Apply(op, T0);
            Assert.True(late.Allowed && late.Spent);
            Assert.Equal(i * Interval, late.DelayTicks);
            Assert.Equal(0, late.Remaining);
        }

        var refused = store.Apply(op, T0);
        Assert.False(refused.Allowed);
        Assert.Equal(4 * Interval, refused.RetryAfterTicks);

        // Once the debt is paid down the delays shrink again.
        var after = store.Apply(op, T0 + (2 * Interval));
        Assert.True(after.Allowed);
        Assert.Equal(2 * Interval, after.DelayTicks);
    }

    [Theory]
    [InlineData(LimitAlgorithm.TokenBucket)]
    [InlineData(LimitAlgorithm.Gcra)]
    public void A_cost_above_the_burst_can_never_pass(LimitAlgorithm algorithm)
    {
        var store = new InMemoryCounterStore();
        var result = store.Apply(Op(algorithm, permits: 10, cost: 11), T0);
        Assert.False(result.Allowed);
        Assert.Equal(long.MaxValue, result.RetryAfterTicks);
    }
}
