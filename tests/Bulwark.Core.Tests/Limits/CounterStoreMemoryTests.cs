using Xunit.Abstractions;
using Bulwark.Core.Limits;
using static Bulwark.Core.Tests.Limits.CounterTestKit;

namespace Bulwark.Core.Tests.Limits;

/// <summary>Measures the process's heap, so it runs alone: a test allocating on another thread would inflate the figure.</summary>
[Collection(MemoryMeasurementCollection.Name)]
public sealed class CounterStoreMemoryTests(ITestOutputHelper output)
{
    [Fact]
    public void Three_times_the_bound_in_distinct_keys_never_exceeds_the_bound()
    {
        const int MaxEntries = 100_000;
        var store = new InMemoryCounterStore(MaxEntries);
        var results = new CounterResult[1];
        var ops = new CounterOperation[1];
        ops[0] = Op(LimitAlgorithm.TokenBucket, permits: 10, period: TimeSpan.TicksPerHour);
        for (var i = 0; i < 3 * MaxEntries; i++)
        {
            ops[0].Key = "client-" + i;
            store.Apply(ops, results, T0 + i);
            Assert.True(results[0].Allowed);
        }

        Assert.InRange(store.Count, MaxEntries * 9 / 10, MaxEntries);
    }

    [Fact]
    public void One_tracked_key_costs_at_most_64_bytes_and_no_key_string_is_kept()
    {
        const int Keys = 1_000_000;
        var keys = new string[Keys];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = "203.0.113." + i;
        }

        var ops = new CounterOperation[1];
        ops[0] = Op(LimitAlgorithm.SlidingWindow, permits: 10, period: TimeSpan.TicksPerMinute);
        var results = new CounterResult[1];
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var store = new InMemoryCounterStore(2 * Keys);
        foreach (var key in keys)
        {
            ops[0].Key = key;
            store.Apply(ops, results, T0);
        }

        var after = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(store);
        GC.KeepAlive(keys);
        Assert.Equal(Keys, store.Count);
        var perKey = (double)(after - before) / Keys;
        output.WriteLine($"{perKey:F1} bytes per tracked key (stated: {InMemoryCounterStore.BytesPerEntry})");
        Assert.True(perKey <= 64, $"{perKey:F1} bytes per key");
        Assert.True(InMemoryCounterStore.BytesPerEntry <= 64);
    }
}

/// <summary>Tests that read process-wide memory figures; xunit runs a non-parallel collection after the others, alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryMeasurementCollection
{
    public const string Name = "memory measurement";
}
