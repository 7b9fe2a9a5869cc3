using Bulwark.Core.Limits;
using static Bulwark.Core.Tests.Limits.CounterTestKit;

namespace Bulwark.Core.Tests.Limits;

/// <summary>
/// Open addressing with backward-shift deletion: under heavy eviction and expiry churn, every key the store holds must
/// stay findable (a misplaced entry would read as a fresh counter and let a client through again).
/// </summary>
public sealed class CounterStoreChurnTests
{
    [Theory]
    [InlineData(64, 100_000, 1)]          // tiny bound, long-lived entries: eviction on nearly every insert
    [InlineData(1_000, 200_000, 3)]       // entries expire while others are added: reclaim and rebuild
    [InlineData(50_000, 200_000, 1_000)]  // growth by half, several times
    public void Keys_stay_findable_through_eviction_and_growth(int maxEntries, int keys, int ttlSeconds)
    {
        var store = new InMemoryCounterStore(maxEntries);
        var bucket = Op(LimitAlgorithm.TokenBucket, permits: 10, period: ttlSeconds * TimeSpan.TicksPerSecond);
        var recent = new Queue<string>();
        var random = new Random(7);
        for (var i = 0; i < keys; i++)
        {
            var now = T0 + (i * TimeSpan.TicksPerMillisecond);
            bucket.Key = "churn-" + i;
            Assert.True(store.Apply(bucket, now).Allowed);

            // The key just written is found with its spent token, never as a fresh bucket.
            Assert.Equal(9, store.Apply(bucket.With(CounterMode.Peek, cost: 0), now).Remaining);

            // A key written a few inserts ago is usually still there; when present it must have its state.
            recent.Enqueue(bucket.Key);
            if (recent.Count > 4)
            {
                var older = bucket;
                older.Key = recent.Dequeue();
                var remaining = store.Apply(older.With(CounterMode.Peek, cost: 0), now).Remaining;
                Assert.True(remaining is 9 or 10, $"key {older.Key} read {remaining} tokens");
            }

            if (random.Next(2000) == 0)
            {
                Assert.InRange(store.Count, 0, maxEntries);
                Assert.Equal(0, store.CountUnreachableEntries());
            }
        }

        Assert.InRange(store.Count, 1, maxEntries);
        Assert.Equal(0, store.CountUnreachableEntries());
    }

    [Fact]
    public void Batches_across_many_keys_and_shards_survive_rebuilds_in_the_middle()
    {
        var store = new InMemoryCounterStore(100_000); // room for all 40,000 keys: growth rebuilds, no eviction
        var ops = new CounterOperation[8];
        var results = new CounterResult[8];
        for (var round = 0; round < 5_000; round++)
        {
            for (var j = 0; j < ops.Length; j++)
            {
                ops[j] = Op(LimitAlgorithm.FixedWindow, permits: 1_000, period: TimeSpan.TicksPerHour);
                ops[j].Key = $"batch-{round}-{j}";
            }

            store.Apply(ops, results, T0 + round);
            Assert.All(results, r => Assert.True(r.Spent));
            store.Apply(ops, results, T0 + round);
            Assert.All(results, r => Assert.Equal(998, r.Remaining));
        }
    }
}
