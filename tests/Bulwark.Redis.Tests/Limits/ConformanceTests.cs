using Bulwark.Core.Limits;
using Bulwark.Redis.Limits;

namespace Bulwark.Redis.Tests.Limits;

/// <summary>
/// The same random scenarios against <see cref="InMemoryCounterStore"/> and the Redis store: every result field must be
/// identical (the Redis store is exact while the values involved stay below 2⁵³; these scenarios do).
/// </summary>
public sealed class ConformanceTests : IClassFixture<RedisServerFixture>
{
    private static readonly LimitAlgorithm[] Algorithms = Enum.GetValues<LimitAlgorithm>();
    private readonly RedisServerFixture _fixture;

    public ConformanceTests(RedisServerFixture fixture) => _fixture = fixture;

    [RedisFact]
    public async Task Random_scenarios_give_identical_results_for_every_algorithm()
    {
        await using var redis = TestStores.Create(_fixture.Server, refusalCache: 0);
        for (var seed = 1; seed <= 60; seed++)
        {
            await RunScenarioAsync(redis, seed, steps: 150, cached: false);
        }
    }

    /// <summary>
    /// With the cache of known refusals on, a call answered locally must make the same decision and change the counters
    /// exactly as Redis would: every Spent flag equal (so every later result still matches), every operation the cache
    /// refused refused by the memory store too, with a Retry-After no longer than the memory store's.
    /// </summary>
    [RedisFact]
    public async Task Random_scenarios_with_the_refusal_cache_decide_and_spend_identically()
    {
        await using var redis = TestStores.Create(_fixture.Server);
        for (var seed = 1; seed <= 60; seed++)
        {
            await RunScenarioAsync(redis, seed, steps: 150, cached: true);
        }

        Assert.True(redis.LocalAnswers > 50, $"only {redis.LocalAnswers} calls were answered from the cache; the scenarios should refuse far more often");
    }

    [RedisFact]
    public async Task Batches_are_all_or_nothing_like_the_memory_store()
    {
        await using var redis = TestStores.Create(_fixture.Server, refusalCache: 0);
        var memory = new InMemoryCounterStore(10_000);
        var minute = TimeSpan.FromMinutes(1).Ticks;
        CounterOperation[] ops =
        [
            new() { Key = "a|x", Algorithm = LimitAlgorithm.TokenBucket, Mode = CounterMode.Acquire, Permits = 10, PeriodTicks = minute, Burst = 10, Cost = 1 },
            new() { Key = "b|x", Algorithm = LimitAlgorithm.FixedWindow, Mode = CounterMode.Acquire, Permits = 2, PeriodTicks = minute, Cost = 1 },
            new() { Key = "a|x", Algorithm = LimitAlgorithm.TokenBucket, Mode = CounterMode.Peek, Permits = 10, PeriodTicks = minute, Burst = 10, Cost = 1 },
            new() { Key = "c|x", Algorithm = LimitAlgorithm.Concurrency, Mode = CounterMode.Acquire, Permits = 5, PeriodTicks = minute, Cost = 1 },
        ];
        for (var i = 0; i < 4; i++)
        {
            var now = TestStores.Now + (i * TimeSpan.TicksPerSecond);
            var expected = new CounterResult[ops.Length];
            var actual = new CounterResult[ops.Length];
            await memory.ApplyAsync(ops, expected, now);
            await redis.ApplyAsync(ops, actual, now);
            Assert.Equal(expected, actual);
        }

        // The third batch was refused by the fixed window; nothing of it was spent.
        var last = new CounterResult[ops.Length];
        await redis.ApplyAsync(ops, last, TestStores.Now + (5 * TimeSpan.TicksPerSecond));
        Assert.False(last[1].Allowed);
        Assert.All(last, r => Assert.False(r.Spent));
        Assert.Equal(3, last[3].Remaining);
    }

    [RedisFact]
    public async Task An_empty_batch_costs_nothing_and_validation_matches()
    {
        await using var redis = TestStores.Create(_fixture.Server);
        await redis.ApplyAsync(ReadOnlyMemory<CounterOperation>.Empty, Memory<CounterResult>.Empty, TestStores.Now);
        var bad = new[] { new CounterOperation { Key = "k", Algorithm = LimitAlgorithm.Gcra, Permits = 1, PeriodTicks = 10, Burst = 0, Cost = 1 } };
        var results = new CounterResult[1];
        var memoryError = Assert.Throws<ArgumentException>(() => new InMemoryCounterStore(1000).Apply(bad, results, TestStores.Now));
        var redisError = await Assert.ThrowsAsync<ArgumentException>(async () => await redis.ApplyAsync(bad, results, TestStores.Now));
        Assert.Equal(memoryError.Message, redisError.Message);
    }

    private static async Task RunScenarioAsync(RedisCounterStore redis, int seed, int steps, bool cached)
    {
        var random = new Random(seed);
        var memory = new InMemoryCounterStore(10_000);
        var keys = Enumerable.Range(0, 6).Select(i => RandomSpec(random, $"s{seed}-k{i}|client{i % 2}")).ToArray();
        var now = TestStores.Now + random.NextInt64(TimeSpan.TicksPerDay);
        var history = new List<string>();
        var latest = long.MinValue;
        var previous = long.MinValue;
        for (var step = 0; step < steps; step++)
        {
            var spec = keys[random.Next(keys.Length)];
            var advance = random.Next(10) switch
            {
                0 => -random.NextInt64(spec.PeriodTicks / 4 + 1) * (cached ? 0 : 1), // the clock steps back (not with the cache: see docs/redis.md)
                1 => spec.PeriodTicks * random.Next(1, 4),
                2 => 0,
                _ => random.NextInt64(spec.PeriodTicks / 3 + 1),
            };
            now = Math.Max(now + advance, TestStores.Now);
            var count = random.Next(1, 5);
            var ops = new CounterOperation[count];
            for (var i = 0; i < count; i++)
            {
                var op = keys[random.Next(keys.Length)];
                op.Mode = random.Next(20) switch
                {
                    < 11 => CounterMode.Acquire,
                    < 14 => CounterMode.Peek,
                    < 17 => CounterMode.Charge,
                    _ => CounterMode.Release,
                };
                op.Cost = op.Mode == CounterMode.Acquire ? random.Next(1, 4) : random.Next(0, 3);
                ops[i] = op;
            }

            var expected = new CounterResult[count];
            var actual = new CounterResult[count];
            await memory.ApplyAsync(ops, expected, now);
            await redis.ApplyAsync(ops, actual, now);
            for (var i = 0; i < count; i++)
            {
                history.Add($"step {step} now {now} {ops[i].Key} {ops[i].Mode} cost {ops[i].Cost}: {Show(expected[i])}");
            }

            var before = redis.LocalAnswers;
            latest = Math.Max(latest, previous);
            previous = now;
            for (var i = 0; i < count && cached; i++)
            {
                // After the clock stepped back, both count the retry time from a later instant they saw (the counter's
                // last update, the refusal's own time); only the refusal itself must then agree.
                var ok = expected[i].Spent == actual[i].Spent
                    && (actual[i].Allowed || (!expected[i].Allowed && (now < latest || actual[i].RetryAfterTicks <= expected[i].RetryAfterTicks)));
                ok &= Refused(ops, expected) == Refused(ops, actual);
                if (!ok)
                {
                    Assert.Fail($"cached: seed {seed} step {step} op {i} ({ops[i].Algorithm} {ops[i].Mode} cost {ops[i].Cost} permits {ops[i].Permits} burst {ops[i].Burst} period {ops[i].PeriodTicks} delay {ops[i].MaxDelayTicks}, local answers {before}): memory {Show(expected[i])}, redis {Show(actual[i])}");
                }
            }

            for (var i = 0; i < count && !cached; i++)
            {
                if (!expected[i].Equals(actual[i]))
                {
                    var trail = string.Join("\n", history.Where(h => h.Contains(ops[i].Key, StringComparison.Ordinal)).TakeLast(8));
                    Assert.Fail($"{trail}\nseed {seed} step {step} op {i} ({ops[i].Algorithm} {ops[i].Mode} cost {ops[i].Cost} permits {ops[i].Permits} burst {ops[i].Burst} period {ops[i].PeriodTicks} delay {ops[i].MaxDelayTicks}): memory {Show(expected[i])}, redis {Show(actual[i])}");
                }
            }
        }
    }

    private static CounterOperation RandomSpec(Random random, string key)
    {
        var algorithm = Algorithms[random.Next(Algorithms.Length)];
        long[] periods = [TimeSpan.TicksPerSecond, 10 * TimeSpan.TicksPerSecond, TimeSpan.TicksPerMinute, TimeSpan.TicksPerHour, 1_234_567];
        var permits = random.Next(12) == 0 ? 0 : random.Next(1, 20);
        return new CounterOperation
        {
            Key = key,
            Algorithm = algorithm,
            Permits = permits,
            PeriodTicks = periods[random.Next(periods.Length)],
            Burst = random.Next(1, permits + 4),
            MaxDelayTicks = algorithm is LimitAlgorithm.TokenBucket or LimitAlgorithm.Gcra && random.Next(3) == 0 ? random.NextInt64(TimeSpan.TicksPerSecond * 5) : 0,
        };
    }

    private static bool Refused(CounterOperation[] ops, CounterResult[] results) =>
        ops.Select((op, i) => op.Mode is CounterMode.Acquire or CounterMode.Peek && !results[i].Allowed).Any(r => r);

    private static string Show(CounterResult r) =>
        $"allowed={r.Allowed} spent={r.Spent} remaining={r.Remaining} reset={r.ResetAfterTicks} retry={r.RetryAfterTicks} delay={r.DelayTicks}";
}
