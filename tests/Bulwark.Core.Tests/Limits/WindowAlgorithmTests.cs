using Bulwark.Core.Limits;
using static Bulwark.Core.Tests.Limits.CounterTestKit;

namespace Bulwark.Core.Tests.Limits;

public sealed class WindowAlgorithmTests
{
    [Fact]
    public void Sliding_window_admits_its_limit_and_weighs_the_previous_window_exactly()
    {
        var store = new InMemoryCounterStore();
        var op = Op(LimitAlgorithm.SlidingWindow, permits: 10);
        for (var i = 1; i <= 10; i++)
        {
            var result = store.Apply(op, T0 + 500);
            Assert.True(result.Allowed);
            Assert.Equal(10 - i, result.Remaining);
        }

        // Refused until the previous window's weight, 10·(P − e)/P, leaves room: e ≥ 100 into the next window.
        var refused = store.Apply(op, T0 + 500);
        Assert.False(refused.Allowed);
        Assert.Equal(500 + 100, refused.RetryAfterTicks);
        Assert.Equal(Period + 500, refused.ResetAfterTicks);

        Assert.False(store.Apply(op, T0 + Period + 99).Allowed);
        Assert.True(store.Apply(op, T0 + Period + 100).Allowed);

        // Halfway through: estimate = 10·½ + 1 = 6, so 4 remain.
        var half = store.Apply(op.With(CounterMode.Peek, cost: 0), T0 + Period + 500);
        Assert.Equal(4, half.Remaining);

        // With 5 counted here, one more waits for the previous window to decay: 10·(P − e)/P + 5 + 1 ≤ 10 → e ≥ 600.
        Assert.True(store.Apply(op.With(CounterMode.Acquire, cost: 4), T0 + Period + 500).Allowed);
        var wait = store.Apply(op, T0 + Period + 500);
        Assert.False(wait.Allowed);
        Assert.Equal(100, wait.RetryAfterTicks);
        Assert.False(store.Apply(op, T0 + Period + 599).Allowed);
        Assert.True(store.Apply(op, T0 + Period + 600).Allowed);
    }

    [Fact]
    public void Sliding_window_counts_nothing_after_two_idle_windows()
    {
        var store = new InMemoryCounterStore();
        var op = Op(LimitAlgorithm.SlidingWindow, permits: 3);
        for (var i = 0; i < 3; i++)
        {
            store.Apply(op, T0);
        }

        var fresh = store.Apply(op.With(CounterMode.Peek, cost: 0), T0 + (2 * Period));
        Assert.Equal(3, fresh.Remaining);
        Assert.Equal(0, fresh.ResetAfterTicks);
    }

    [Fact]
    public void Fixed_window_admits_its_limit_and_resets_at_the_boundary()
    {
        var store = new InMemoryCounterStore();
        var op = Op(LimitAlgorithm.FixedWindow, permits: 5);
        for (var i = 1; i <= 5; i++)
        {
            var result = store.Apply(op, T0 + 300);
            Assert.True(result.Allowed);
            Assert.Equal(5 - i, result.Remaining);
            Assert.Equal(700, result.ResetAfterTicks);
        }

        var refused = store.Apply(op, T0 + 300);
        Assert.False(refused.Allowed);
        Assert.Equal(700, refused.RetryAfterTicks);
        Assert.False(store.Apply(op, T0 + Period - 1).Allowed);
        Assert.True(store.Apply(op, T0 + Period).Allowed);
    }

    [Theory]
    [InlineData(LimitAlgorithm.SlidingWindow)]
    [InlineData(LimitAlgorithm.FixedWindow)]
    public void Window_modes_peek_charge_release_and_zero_permits(LimitAlgorithm algorithm)
    {
        var store = new InMemoryCounterStore();
        var op = Op(algorithm, permits: 4);
        for (var i = 0; i < 20; i++)
        {
            Assert.True(store.Apply(op.With(CounterMode.Peek), T0).Allowed);
        }

        Assert.True(store.Apply(op.With(CounterMode.Charge, cost: 4), T0).Allowed);
        var over = store.Apply(op.With(CounterMode.Charge, cost: 100), T0);
        Assert.False(over.Allowed);
        Assert.True(over.Spent);
        Assert.False(store.Apply(op.With(CounterMode.Peek), T0).Allowed);
        Assert.False(store.Apply(op.With(CounterMode.Release), T0).Spent);

        // Charging clamps at two full limits: in the next window a sliding window still sees the overdraw, decaying.
        var next = store.Apply(op.With(CounterMode.Peek, cost: 0), T0 + Period + 500);
        Assert.Equal(algorithm == LimitAlgorithm.FixedWindow ? 4 : 0, next.Remaining);

        var closed = store.Apply(Op(algorithm, permits: 0, key: "closed"), T0);
        Assert.False(closed.Allowed);
        Assert.Equal(Period, closed.RetryAfterTicks);
    }

    [Fact]
    public void Concurrency_holds_the_ceiling_and_release_frees_a_slot()
    {
        var store = new InMemoryCounterStore();
        var op = Op(LimitAlgorithm.Concurrency, permits: 3);
        for (var i = 1; i <= 3; i++)
        {
            var result = store.Apply(op, T0);
            Assert.True(result.Allowed);
            Assert.Equal(3 - i, result.Remaining);
            Assert.Equal(0, result.ResetAfterTicks);
        }

        Assert.False(store.Apply(op, T0).Allowed);
        Assert.True(store.Apply(op.With(CounterMode.Peek, cost: 0), T0).Allowed);
        var release = store.Apply(op.With(CounterMode.Release), T0 + 5);
        Assert.True(release.Allowed && release.Spent);
        Assert.Equal(1, release.Remaining);
        Assert.True(store.Apply(op, T0 + 6).Allowed);

        // Releasing more than is held stops at zero in flight: duplicate releases cannot mint slots.
        store.Apply(op.With(CounterMode.Release, cost: 50), T0 + 7);
        Assert.Equal(3, store.Apply(op.With(CounterMode.Peek, cost: 0), T0 + 7).Remaining);

        Assert.False(store.Apply(Op(LimitAlgorithm.Concurrency, permits: 0, key: "closed"), T0).Allowed);
    }

    [Fact]
    public void Concurrency_forgets_leaked_leases_after_the_safety_ttl()
    {
        var store = new InMemoryCounterStore();
        var op = Op(LimitAlgorithm.Concurrency, permits: 2);
        store.Apply(op, T0);
        store.Apply(op, T0);
        var ttl = TimeSpan.FromMinutes(10).Ticks;
        Assert.False(store.Apply(op, T0 + ttl - 1).Allowed);
        Assert.True(store.Apply(op, T0 + ttl).Allowed);
    }
}
