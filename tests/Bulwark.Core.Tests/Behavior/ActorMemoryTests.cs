using Bulwark.Core.Behavior;
using Bulwark.Core.Tests.Limits;
using Xunit.Abstractions;

namespace Bulwark.Core.Tests.Behavior;

/// <summary>Measures the heap, so it runs alone (the memory collection is not parallel).</summary>
[Collection(MemoryMeasurementCollection.Name)]
public sealed class ActorMemoryTests(ITestOutputHelper output)
{
    [Fact]
    public void A_million_actors_cost_what_is_stated_and_three_million_more_stay_within_the_ceiling()
    {
        const int Ceiling = 1_000_000;
        var ticks = new DateTimeOffset(2026, 11, 21, 10, 0, 0, TimeSpan.Zero).UtcTicks;
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var table = new BoundedTable<ActorState>(Ceiling, TimeSpan.FromMinutes(30));
        var entry = new HistoryEntry { Ticks = ticks, RouteAndOutcome = 7, Resource = 1 };
        ulong key = 0;
        for (var i = 0; i < Ceiling; i++)
        {
            using var scope = table.Enter(BehaviorHash.Of(BitConverter.GetBytes(++key)), ticks + i);
            scope.Value.Append(entry);
        }

        var full = GC.GetTotalMemory(forceFullCollection: true);
        var held = table.Count;
        var perActor = (double)(full - before) / held;

        // Each of the 64 shards holds its 1/64 of the ceiling; hashing spreads keys unevenly, so a few shards are full first.
        Assert.InRange(held, Ceiling * 97 / 100, Ceiling);

        // Three million more distinct actors: the clock hand evicts, nothing grows.
        for (var i = 0; i < 3 * Ceiling; i++)
        {
            using var scope = table.Enter(BehaviorHash.Of(BitConverter.GetBytes(++key)), ticks + Ceiling + i);
            scope.Value.Append(entry);
        }

        var after = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(table);
        output.WriteLine($"{perActor:F1} bytes per actor at 1M (stated {BehaviorState.BytesPerActor}); after 4M distinct actors: {table.Count} held, {table.Evictions} evicted, heap {(after - before) / 1e6:F1} MB (was {(full - before) / 1e6:F1} MB)");
        Assert.True(perActor <= BehaviorState.BytesPerActor, $"{perActor:F1} bytes per actor, stated {BehaviorState.BytesPerActor}");
        Assert.True(table.Count <= Ceiling);
        Assert.InRange(table.Evictions, 3L * Ceiling, (4L * Ceiling) - held);
        Assert.True(after - full < (full - before) / 50, $"heap grew from {full - before} to {after - before} bytes");
    }

    [Fact]
    public void Recently_used_actors_survive_a_flood_of_new_ones()
    {
        var table = new BoundedTable<ActorState>(10_000, TimeSpan.FromHours(1));
        var now = 1_000_000_000L;
        var regulars = Enumerable.Range(1, 1_000).Select(i => BehaviorHash.Of(BitConverter.GetBytes(-i))).ToArray();
        for (var round = 0; round < 50; round++)
        {
            foreach (var regular in regulars)
            {
                using var scope = table.Enter(regular, ++now);
                scope.Value.Observed++;
            }

            for (var i = 0; i < 2_000; i++)
            {
                using var scope = table.Enter(BehaviorHash.Of(BitConverter.GetBytes((round * 10_000L) + i)), ++now);
            }
        }

        var kept = regulars.Count(r =>
        {
            if (!table.TryEnter(r, now, out var scope))
            {
                return false;
            }

            using (scope)
            {
                return scope.Value.Observed == 50;
            }
        });
        Assert.True(kept == regulars.Length, $"{kept} of {regulars.Length} kept, {table.Count} held, {table.Evictions} evicted");
    }

    [Fact]
    public void Expired_actors_start_again_from_nothing()
    {
        var table = new BoundedTable<ActorState>(100, TimeSpan.FromSeconds(10));
        using (var scope = table.Enter(42, TimeSpan.TicksPerSecond))
        {
            Assert.True(scope.IsNew);
            scope.Value.Observed = 5;
        }

        using (var scope = table.Enter(42, 5 * TimeSpan.TicksPerSecond))
        {
            Assert.False(scope.IsNew);
            Assert.Equal(5, scope.Value.Observed);
        }

        Assert.False(table.TryEnter(42, 16 * TimeSpan.TicksPerSecond, out _));
        using (var scope = table.Enter(42, 16 * TimeSpan.TicksPerSecond))
        {
            Assert.True(scope.IsNew);
            Assert.Equal(0, scope.Value.Observed);
        }
    }

    [Fact]
    public void Sixteen_threads_on_shared_actors_lose_no_update()
    {
        var table = new BoundedTable<ActorState>(10_000, TimeSpan.FromHours(1));
        Parallel.For(0, 16, thread =>
        {
            for (var i = 0; i < 100_000; i++)
            {
                using var scope = table.Enter((ulong)(i % 100) + 1, 1_000 + i);
                scope.Value.Walk++;
            }
        });

        var total = 0;
        for (var k = 1; k <= 100; k++)
        {
            Assert.True(table.TryEnter((ulong)k, 200_000, out var scope));
            using (scope)
            {
                total += scope.Value.Walk;
            }
        }

        Assert.Equal(1_600_000, total);
    }
}
