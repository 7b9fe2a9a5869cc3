using Bulwark.Core.Limits;
using Bulwark.Redis.Client;

namespace Bulwark.Redis.Tests.Limits;

/// <summary>
/// The store's cache of known refusals: a hammered over-limit key stops costing Redis calls until its retry time, and
/// two gateways still enforce the limit in total.
/// </summary>
public sealed class RefusalCacheTests
{
    private static readonly long Minute = TimeSpan.TicksPerMinute;

    [RedisFact]
    public async Task A_hammered_over_limit_key_costs_no_redis_call_until_its_reset()
    {
        // A server of its own, so INFO commandstats counts this test's calls only.
        using var server = RedisServer.Start();
        await using var store = TestStores.Create(server);
        await using var admin = new RedisClient(RedisEndpoint.Parse(server.Connection()));
        await admin.ExecuteAsync(["SCRIPT", "LOAD", Bulwark.Redis.Limits.RedisCounterStore.CounterScript.Source]);
        var windowStart = TestStores.Now / Minute * Minute;
        var limit = new CounterOperation { Key = "search|198.51.100.9", Algorithm = LimitAlgorithm.FixedWindow, Mode = CounterMode.Acquire, Permits = 5, PeriodTicks = Minute, Cost = 1 };
        var other = new CounterOperation { Key = "search-account|{acct-1}", Algorithm = LimitAlgorithm.TokenBucket, Mode = CounterMode.Acquire, Permits = 1, PeriodTicks = TimeSpan.TicksPerHour, Burst = 1000, Cost = 1 };
        CounterOperation[] ops = [limit, other];
        var results = new CounterResult[2];

        // Five pass and one is refused: six script calls.
        for (var i = 0; i < 6; i++)
        {
            await store.ApplyAsync(ops, results, windowStart + (i * TimeSpan.TicksPerSecond));
            Assert.Equal(i < 5, results[0].Allowed);
        }

        Assert.Equal(6, await EvalshaCallsAsync(admin));
        Assert.Equal(0, store.LocalAnswers);

        // 10,000 more inside the window: answered locally, refused with the retry time Redis gave, nothing spent.
        for (var i = 0; i < 10_000; i++)
        {
            var now = windowStart + (10 * TimeSpan.TicksPerSecond) + (i * TimeSpan.TicksPerMillisecond);
            await store.ApplyAsync(ops, results, now);
            Assert.False(results[0].Allowed);
            Assert.False(results[0].Spent);
            Assert.False(results[1].Spent);
            Assert.Equal(windowStart + Minute - now, results[0].RetryAfterTicks);
        }

        Assert.Equal(6, await EvalshaCallsAsync(admin));
        Assert.Equal(10_000, store.LocalAnswers);

        // The other limit (1,000 burst, 1 more per hour) was never charged by the refused requests: 1000 − 5 tokens left.
        var peek = new[] { other with { Mode = CounterMode.Peek } };
        var peeked = new CounterResult[1];
        await store.ApplyAsync(peek, peeked, windowStart + (30 * TimeSpan.TicksPerSecond));
        Assert.Equal(995, peeked[0].Remaining);
        Assert.Equal(7, await EvalshaCallsAsync(admin));

        // A cheaper or different limit on the same key is not answered from the entry: a changed limit goes to Redis.
        var reloaded = new[] { limit with { Permits = 50 } };
        await store.ApplyAsync(reloaded, peeked, windowStart + (31 * TimeSpan.TicksPerSecond));
        Assert.True(peeked[0].Allowed);
        Assert.Equal(8, await EvalshaCallsAsync(admin));

        // At the reset, Redis is asked again and the key passes.
        await store.ApplyAsync(ops, results, windowStart + Minute);
        Assert.True(results[0].Allowed);
        Assert.True(results[1].Spent);
        Assert.Equal(9, await EvalshaCallsAsync(admin));
    }

    [RedisFact]
    public async Task Concurrency_limits_and_peeks_beside_live_acquires_always_ask_redis()
    {
        using var server = RedisServer.Start();
        await using var store = TestStores.Create(server);
        await using var admin = new RedisClient(RedisEndpoint.Parse(server.Connection()));
        await admin.ExecuteAsync(["SCRIPT", "LOAD", Bulwark.Redis.Limits.RedisCounterStore.CounterScript.Source]);
        var lease = new CounterOperation { Key = "upload|198.51.100.10", Algorithm = LimitAlgorithm.Concurrency, Mode = CounterMode.Acquire, Permits = 1, PeriodTicks = Minute, Cost = 1 };
        var failures = new CounterOperation { Key = "login-failures|{alice}", Algorithm = LimitAlgorithm.FixedWindow, Mode = CounterMode.Charge, Permits = 3, PeriodTicks = Minute, Cost = 1 };
        var perIp = new CounterOperation { Key = "login-ip|198.51.100.10", Algorithm = LimitAlgorithm.TokenBucket, Mode = CounterMode.Acquire, Permits = 100, PeriodTicks = Minute, Burst = 100, Cost = 1 };
        var results = new CounterResult[2];

        // A full concurrency limit: refused every time, yet each call asks Redis (a Release elsewhere frees it any moment).
        await store.ApplyAsync(new[] { lease }, results, TestStores.Now);
        for (var i = 0; i < 5; i++)
        {
            await store.ApplyAsync(new[] { lease }, results, TestStores.Now + i + 1);
            Assert.False(results[0].Allowed);
        }

        Assert.Equal(6, await EvalshaCallsAsync(admin));

        // Three failures lock the account; a Peek alone is then answered locally, but beside the per-IP Acquire (which
        // Redis would spend: a Peek's refusal does not stop the batch) it goes to Redis.
        for (var i = 0; i < 3; i++)
        {
            await store.ApplyAsync(new[] { failures }, results, TestStores.Now + 10 + i);
        }

        var peek = failures with { Mode = CounterMode.Peek };
        await store.ApplyAsync(new[] { peek }, results, TestStores.Now + 20);
        Assert.False(results[0].Allowed);
        var before = await EvalshaCallsAsync(admin);
        await store.ApplyAsync(new[] { peek }, results, TestStores.Now + 21);
        Assert.False(results[0].Allowed);
        Assert.Equal(before, await EvalshaCallsAsync(admin));

        await store.ApplyAsync(new[] { peek, perIp }, results, TestStores.Now + 22);
        Assert.False(results[0].Allowed);
        Assert.True(results[1].Spent);
        Assert.Equal(before + 1, await EvalshaCallsAsync(admin));
    }

    [RedisTheory]
    [InlineData(LimitAlgorithm.FixedWindow)]
    [InlineData(LimitAlgorithm.SlidingWindow)]
    [InlineData(LimitAlgorithm.Gcra)]
    [InlineData(LimitAlgorithm.TokenBucket)]
    public async Task Two_gateways_with_the_cache_still_allow_the_limit_in_total_and_mostly_skip_redis(LimitAlgorithm algorithm)
    {
        using var server = RedisServer.Start();
        var prefix = $"t{Guid.NewGuid():N}:";
        await using var gatewayA = TestStores.Create(server, prefix);
        await using var gatewayB = TestStores.Create(server, prefix);
        await using var admin = new RedisClient(RedisEndpoint.Parse(server.Connection()));
        await admin.ExecuteAsync(["SCRIPT", "LOAD", Bulwark.Redis.Limits.RedisCounterStore.CounterScript.Source]);
        var windowStart = TestStores.Now / Minute * Minute;
        var allowed = 0;
        var sent = 0;

        // 10,000 requests over 50 s of request time (one every 5 ms) from 2 gateways × 16 callers, 100 per minute.
        var tasks = Enumerable.Range(0, 32).Select(caller => Task.Run(async () =>
        {
            var store = caller % 2 == 0 ? gatewayA : gatewayB;
            var op = new[] { new CounterOperation { Key = "login|203.0.113.7", Algorithm = algorithm, Mode = CounterMode.Acquire, Permits = 100, PeriodTicks = Minute, Burst = 100, Cost = 1 } };
            var result = new CounterResult[1];
            int i;
            while ((i = Interlocked.Increment(ref sent)) <= 10_000)
            {
                await store.ApplyAsync(op, result, windowStart + (i * 5 * TimeSpan.TicksPerMillisecond));
                if (result[0].Allowed)
                {
                    Interlocked.Increment(ref allowed);
                }
            }
        })).ToArray();
        await Task.WhenAll(tasks);

        // Fixed window: exactly 100. The others refill during the 50 s (100/min): 100 + up to 83 more, the same number
        // the uncached store admits for this sequence (checked below against the in-memory store fed in order).
        var memory = new InMemoryCounterStore(1000);
        var expected = 0;
        var single = new[] { new CounterOperation { Key = "login|203.0.113.7", Algorithm = algorithm, Mode = CounterMode.Acquire, Permits = 100, PeriodTicks = Minute, Burst = 100, Cost = 1 } };
        var r = new CounterResult[1];
        for (var i = 1; i <= 10_000; i++)
        {
            memory.Apply(single, r, windowStart + (i * 5 * TimeSpan.TicksPerMillisecond));
            expected += r[0].Allowed ? 1 : 0;
        }

        // Concurrent callers send their timestamps slightly out of order, so allow the existing 1 % tolerance.
        Assert.InRange(allowed, expected - (expected / 100) - 1, expected + (expected / 100) + 1);
        var calls = await EvalshaCallsAsync(admin);
        var local = gatewayA.LocalAnswers + gatewayB.LocalAnswers;
        Assert.Equal(10_000, calls + local);
        // A fixed window refuses until the window ends: past the 100 admitted, only calls already in flight when the first
        // refusal came back reach Redis (up to 32 callers). The buckets refill one permit every 0.6 s (120 requests), and
        // each refill lets the callers in flight at that moment through to Redis, about 32 × 84 calls.
        var bound = algorithm == LimitAlgorithm.FixedWindow ? 100 + (2 * 32) + 50 : 5_000;
        Assert.True(calls <= bound, $"{calls} of 10,000 requests still went to Redis ({local} answered locally), more than {bound}");
    }

    private static async Task<long> EvalshaCallsAsync(RedisClient admin)
    {
        var stats = (await admin.ExecuteAsync(["INFO", "commandstats"])).AsString() ?? string.Empty;
        var line = stats.Split('\n').FirstOrDefault(l => l.StartsWith("cmdstat_evalsha:", StringComparison.Ordinal));
        if (line is null)
        {
            return 0;
        }

        var calls = line.Split(',')[0]; // cmdstat_evalsha:calls=N
        return long.Parse(calls[(calls.IndexOf('=') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }
}
