using Bulwark.Core.Limits;
using static Bulwark.Core.Tests.Limits.CounterTestKit;

namespace Bulwark.Core.Tests.Limits;

public sealed class CounterStoreConcurrencyTests
{
    [Theory]
    [InlineData(LimitAlgorithm.TokenBucket)]
    [InlineData(LimitAlgorithm.Gcra)]
    [InlineData(LimitAlgorithm.SlidingWindow)]
    [InlineData(LimitAlgorithm.FixedWindow)]
    [InlineData(LimitAlgorithm.Concurrency)]
    public void Sixteen_threads_on_one_key_get_exactly_the_limit(LimitAlgorithm algorithm)
    {
        const int Threads = 16;
        const int AttemptsPerThread = 2_000;
        var store = new InMemoryCounterStore();

        // A day-long period and a fixed timestamp: nothing refills during the race.
        var op = Op(algorithm, permits: 1_000, period: TimeSpan.TicksPerDay, key: "hot");
        var allowed = 0;
        using var start = new Barrier(Threads);
        var workers = new Thread[Threads];
        for (var t = 0; t < Threads; t++)
        {
            workers[t] = new Thread(() =>
            {
                var ops = new[] { op, Op(algorithm, permits: 1_000_000, key: "cold" + Environment.CurrentManagedThreadId) };
                var results = new CounterResult[2];
                var mine = 0;
                start.SignalAndWait();
                for (var i = 0; i < AttemptsPerThread; i++)
                {
                    // Alternate single-key calls with two-key batches so the multi-shard locking path races too.
                    if (i % 2 == 0)
                    {
                        store.Apply(ops.AsSpan(0, 1), results, T0);
                    }
                    else
                    {
                        store.Apply(ops, results, T0);
                    }

                    mine += results[0].Spent ? 1 : 0;
                }

                Interlocked.Add(ref allowed, mine);
            });
            workers[t].Start();
        }

        foreach (var worker in workers)
        {
            worker.Join();
        }

        Assert.Equal(1_000, allowed);
    }
}
