using Bulwark.Core.Limits;
using static Bulwark.Core.Tests.Limits.CounterTestKit;

namespace Bulwark.Core.Tests.Limits;

public sealed class CounterStoreTests
{
    public static TheoryData<LimitAlgorithm> Algorithms =>
    [
        LimitAlgorithm.TokenBucket,
        LimitAlgorithm.Gcra,
        LimitAlgorithm.SlidingWindow,
        LimitAlgorithm.FixedWindow,
        LimitAlgorithm.Concurrency,
    ];

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void A_batch_where_one_acquire_refuses_spends_nothing(LimitAlgorithm algorithm)
    {
        var store = new InMemoryCounterStore();
        var roomy = Op(algorithm, permits: 5, key: "roomy");
        var tight = Op(algorithm, permits: 1, key: "tight");
        store.Apply(tight, T0);

        var results = new CounterResult[2];
        store.Apply([roomy, tight], results, T0);
        Assert.True(results[0].Allowed);
        Assert.False(results[0].Spent);
        Assert.Equal(5, results[0].Remaining);
        Assert.False(results[1].Allowed);
        Assert.Equal(5, store.Apply(roomy.With(CounterMode.Peek, cost: 0), T0).Remaining);

        // And when both fit, both spend.
        store.Apply([roomy, roomy with { Key = "other" }], results, T0);
        Assert.True(results[0].Spent && results[1].Spent);
        Assert.Equal(4, results[0].Remaining);
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void Operations_on_one_key_in_a_batch_apply_in_order(LimitAlgorithm algorithm)
    {
        var store = new InMemoryCounterStore();
        var op = Op(algorithm, permits: 2);
        var results = new CounterResult[3];

        // Two fit, the third is refused, so none of the three spends.
        store.Apply([op, op, op], results, T0);
        Assert.True(results[0].Allowed && results[1].Allowed);
        Assert.False(results[2].Allowed);
        Assert.Equal(2, store.Apply(op.With(CounterMode.Peek, cost: 0), T0).Remaining);

        store.Apply([op, op.With(CounterMode.Peek)], results, T0);
        Assert.Equal(1, results[0].Remaining);
        Assert.True(results[1].Allowed);
        Assert.Equal(1, results[1].Remaining);

        // A Charge after a refused Acquire sees the counter the Acquire left untouched.
        store.Apply([op.With(CounterMode.Acquire, cost: 2), op.With(CounterMode.Charge)], results, T0);
        Assert.False(results[0].Allowed);
        Assert.True(results[1].Allowed && results[1].Spent);
        Assert.Equal(0, results[1].Remaining);
    }

    [Fact]
    public void Batches_longer_than_the_stack_limit_work_the_same()
    {
        var store = new InMemoryCounterStore(maxEntries: 1_000);
        var ops = new CounterOperation[40];
        for (var i = 0; i < ops.Length; i++)
        {
            ops[i] = Op(LimitAlgorithm.FixedWindow, permits: 1, key: "k" + i);
        }

        var results = new CounterResult[ops.Length];
        store.Apply(ops, results, T0);
        Assert.All(results, r => Assert.True(r.Spent));
        store.Apply(ops, results, T0);
        Assert.All(results, r => Assert.False(r.Spent));
        Assert.Equal(40, store.Count);
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void An_expired_entry_behaves_like_a_fresh_counter(LimitAlgorithm algorithm)
    {
        var used = new InMemoryCounterStore();
        var op = Op(algorithm, permits: 3, maxDelay: algorithm is LimitAlgorithm.TokenBucket or LimitAlgorithm.Gcra ? 500 : 0);
        var last = default(CounterResult);
        for (var i = 0; i < 6; i++)
        {
            last = used.Apply(op, T0 + 10);
        }

        // Leases expire on the safety TTL; every other counter says when it is whole again.
        var expiry = algorithm == LimitAlgorithm.Concurrency ? TimeSpan.FromMinutes(10).Ticks : Math.Max(last.ResetAfterTicks, last.RetryAfterTicks);
        var later = T0 + 10 + expiry + (3 * Period);
        var fresh = new InMemoryCounterStore();
        for (var i = 0; i < 6; i++)
        {
            var t = later + (i * 7);
            Assert.Equal(fresh.Apply(op, t), used.Apply(op, t));
        }
    }

    [Fact]
    public void At_the_bound_an_expired_slot_is_reused_else_the_soonest_to_expire_is_evicted()
    {
        var store = new InMemoryCounterStore(maxEntries: 1);
        var a = Op(LimitAlgorithm.FixedWindow, permits: 1, key: "a");
        var b = Op(LimitAlgorithm.FixedWindow, permits: 1, key: "b");
        Assert.True(store.Apply(a, T0).Allowed);
        Assert.False(store.Apply(a, T0).Allowed);

        // Same window: "a" is live, so "b" evicts it and "a" fails open.
        Assert.True(store.Apply(b, T0).Allowed);
        Assert.Equal(1, store.Count);
        Assert.True(store.Apply(a, T0).Allowed);

        // Next window: "a" has expired, so "b" takes its slot.
        Assert.True(store.Apply(b, T0 + Period).Allowed);
        Assert.Equal(1, store.Count);
    }

    [Fact]
    public void Invalid_operations_are_rejected_with_a_reason()
    {
        var store = new InMemoryCounterStore();
        var results = new CounterResult[1];
        var error = Assert.Throws<ArgumentException>(() => store.Apply([Op(LimitAlgorithm.TokenBucket, permits: 1, period: 0)], results, T0));
        Assert.Contains("PeriodTicks", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => store.Apply([Op(LimitAlgorithm.Gcra, permits: 1) with { Burst = 0 }], results, T0));
        Assert.Throws<ArgumentException>(() => store.Apply([Op(LimitAlgorithm.FixedWindow, permits: 1), Op(LimitAlgorithm.FixedWindow, permits: 1)], results, T0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new InMemoryCounterStore(0));
    }

    [Fact]
    public async Task ApplyAsync_completes_synchronously()
    {
        var store = new InMemoryCounterStore();
        var results = new CounterResult[1];
        var pending = store.ApplyAsync(new[] { Op(LimitAlgorithm.TokenBucket, permits: 1) }, results, T0);
        Assert.True(pending.IsCompletedSuccessfully);
        await pending;
        Assert.True(results[0].Spent);
    }

    [Fact]
    public void Apply_allocates_nothing_for_known_keys()
    {
        var store = new InMemoryCounterStore();
        var ops = new CounterOperation[3];
        for (var i = 0; i < ops.Length; i++)
        {
            ops[i] = Op((LimitAlgorithm)i, permits: 1_000_000_000, key: "key" + i);
        }

        var results = new CounterResult[ops.Length];
        store.Apply(ops, results, T0);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            store.Apply(ops, results, T0 + i);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
