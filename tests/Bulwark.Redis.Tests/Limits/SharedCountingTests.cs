using Bulwark.Core.Limits;

namespace Bulwark.Redis.Tests.Limits;

/// <summary>Several gateways (stores with their own connections) share one set of limits through one Redis.</summary>
public sealed class SharedCountingTests : IClassFixture<RedisServerFixture>
{
    private readonly RedisServerFixture _fixture;

    public SharedCountingTests(RedisServerFixture fixture) => _fixture = fixture;

    [RedisTheory]
    [InlineData(LimitAlgorithm.FixedWindow)]
    [InlineData(LimitAlgorithm.SlidingWindow)]
    [InlineData(LimitAlgorithm.Gcra)]
    [InlineData(LimitAlgorithm.TokenBucket)]
    public async Task Two_gateways_enforce_100_per_minute_in_total_across_10000_requests(LimitAlgorithm algorithm)
    {
        var prefix = $"t{Guid.NewGuid():N}:";
        await using var gatewayA = TestStores.Create(_fixture.Server, prefix);
        await using var gatewayB = TestStores.Create(_fixture.Server, prefix);
        var minute = TimeSpan.TicksPerMinute;
        var windowStart = TestStores.Now / minute * minute;
        var allowed = 0;
        var sent = 0;

        // 2 gateways × 16 concurrent callers; request i happens at windowStart + i·5 ms, all inside one minute. Buckets
        // start full with Burst 100 and get no refill to speak of: the rate is 100/min, so 1 per 0.6 s after the burst.
        var tasks = Enumerable.Range(0, 32).Select(caller => Task.Run(async () =>
        {
            var store = caller % 2 == 0 ? gatewayA : gatewayB;
            var op = new[] { new CounterOperation { Key = "login|203.0.113.7", Algorithm = algorithm, Mode = CounterMode.Acquire, Permits = 100, PeriodTicks = minute, Burst = 100, Cost = 1 } };
            var result = new CounterResult[1];
            int i;
            while ((i = Interlocked.Increment(ref sent)) <= 10_000)
            {
                var now = windowStart + (i * 5 * TimeSpan.TicksPerMillisecond / 1000); // 10,000 requests over 50 ms
                await store.ApplyAsync(op, result, now);
                if (result[0].Allowed)
                {
                    Interlocked.Increment(ref allowed);
                }
            }
        })).ToArray();
        await Task.WhenAll(tasks);

        // Within 1 % of the limit; with the requests all inside 50 ms the refill adds nothing, so exactly 100.
        Assert.InRange(allowed, 99, 101);
        Assert.Equal(100, allowed);
    }

    [RedisFact]
    public async Task Sixteen_concurrent_callers_on_one_key_never_overshoot()
    {
        await using var store = TestStores.Create(_fixture.Server);
        var allowed = 0;
        var inFlight = 0;
        var maxInFlight = 0;
        var minute = TimeSpan.TicksPerMinute;
        var tasks = Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            var bucket = new[] { new CounterOperation { Key = "search|198.51.100.1", Algorithm = LimitAlgorithm.TokenBucket, Mode = CounterMode.Acquire, Permits = 50, PeriodTicks = minute, Burst = 50, Cost = 1 } };
            var lease = new[] { new CounterOperation { Key = "inference|198.51.100.1", Algorithm = LimitAlgorithm.Concurrency, Mode = CounterMode.Acquire, Permits = 4, PeriodTicks = minute, Cost = 1 } };
            var release = new[] { lease[0] with { Mode = CounterMode.Release } };
            var result = new CounterResult[1];
            for (var i = 0; i < 100; i++)
            {
                await store.ApplyAsync(bucket, result, TestStores.Now);
                if (result[0].Allowed)
                {
                    Interlocked.Increment(ref allowed);
                }

                await store.ApplyAsync(lease, result, TestStores.Now + i);
                if (result[0].Allowed)
                {
                    var now = Interlocked.Increment(ref inFlight);
                    InterlockedMax(ref maxInFlight, now);
                    await Task.Yield();
                    Interlocked.Decrement(ref inFlight);
                    await store.ApplyAsync(release, result, TestStores.Now + i);
                }
            }
        })).ToArray();
        await Task.WhenAll(tasks);

        Assert.Equal(50, allowed);
        Assert.InRange(maxInFlight, 1, 4);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
