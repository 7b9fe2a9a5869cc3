using System.Diagnostics;
using System.Globalization;
using Bulwark.Core.Limits;
using Bulwark.Redis.Client;
using Bulwark.Redis.Limits;
using Bulwark.Redis.Protocol;

// Usage: bulwark-redis-bench --port P [--callers 64] [--seconds 5] [--connections 2] [--keys 100000] [--print-args]
// Closed loop: `callers` tasks each run store.ApplyAsync (one token bucket Acquire on a random key) back to back. Then
// an open-loop run at half the measured throughput for the latency percentiles. --print-args prints the EVALSHA
// arguments one decision sends, for redis-benchmark to send the same.
var options = Args.Parse(args);
var endpoint = RedisEndpoint.Parse($"127.0.0.1:{options.Port},connections={options.Connections}");
var now = new DateTime(2026, 11, 22, 0, 0, 0, DateTimeKind.Utc).Ticks;
var op = new CounterOperation
{
    Key = "bench|0",
    Algorithm = LimitAlgorithm.TokenBucket,
    Mode = CounterMode.Acquire,
    Permits = 1_000_000,
    PeriodTicks = TimeSpan.TicksPerSecond,
    Burst = 1_000_000,
    Cost = 1,
};

if (options.PrintArgs)
{
    // EVALSHA sha numkeys key now slack alg mode permits period burst cost maxDelay window elapsed
    var window = Math.DivRem(now, op.PeriodTicks, out var elapsed);
    Console.WriteLine(string.Join(' ', new object[]
    {
        "EVALSHA", RedisCounterStore.CounterScript.Sha1, 1, "bulwark:bench|{__rand_int__}", now - RedisCounterStore.EpochTicks, 1000,
        (int)op.Algorithm, (int)op.Mode, op.Permits, op.PeriodTicks, op.Burst, op.Cost, op.MaxDelayTicks,
        window - (RedisCounterStore.EpochTicks / op.PeriodTicks), elapsed,
    }.Select(o => Convert.ToString(o, CultureInfo.InvariantCulture))));
    return 0;
}

await using var client = new RedisClient(endpoint);
await using var store = new RedisCounterStore(client, new RedisCounterStoreOptions { Budget = TimeSpan.FromSeconds(2), RefusalCacheEntries = 0 });
await client.ExecuteAsync(["SCRIPT", "LOAD", RedisCounterStore.CounterScript.Source]);

// Warm up (JIT, connections), then measure.
await ClosedLoopAsync(TimeSpan.FromSeconds(1));
await client.ExecuteAsync(["CONFIG", "RESETSTAT"]);
var (decisions, seconds) = await ClosedLoopAsync(TimeSpan.FromSeconds(options.Seconds));
var stats = (await client.ExecuteAsync(["INFO", "commandstats"])).AsString() ?? string.Empty;
var evalsha = stats.Split('\n').FirstOrDefault(l => l.StartsWith("cmdstat_evalsha:", StringComparison.Ordinal))?.Trim() ?? "cmdstat_evalsha: none";
var throughput = decisions / seconds;
Console.WriteLine($"closed loop: {options.Callers} callers, {options.Connections} connections: {decisions} decisions in {seconds:0.00} s = {throughput:0} decisions/s");
Console.WriteLine($"commands: {evalsha} (decisions {decisions})");

var latencies = await OpenLoopAsync(throughput / 2, TimeSpan.FromSeconds(options.Seconds));
Array.Sort(latencies);
Console.WriteLine($"half load ({throughput / 2:0}/s): {latencies.Length} calls, p50 {Percentile(latencies, 0.50):0.000} ms, p99 {Percentile(latencies, 0.99):0.000} ms, p99.9 {Percentile(latencies, 0.999):0.000} ms");

// An attack on one hot key that is over its limit (1 per hour, spent): every caller hammers it. Without the cache of
// known refusals each refusal is a Redis call; with it (the default) they are answered locally. Same run, side by side.
var hot = op with { Key = "hot|198.51.100.1", Permits = 1, PeriodTicks = TimeSpan.TicksPerHour, Burst = 1 };
await using var cached = new RedisCounterStore(client, new RedisCounterStoreOptions { Budget = TimeSpan.FromSeconds(2), KeyPrefix = "hot-cached:" });
await using var uncached = new RedisCounterStore(client, new RedisCounterStoreOptions { Budget = TimeSpan.FromSeconds(2), KeyPrefix = "hot-uncached:", RefusalCacheEntries = 0 });
foreach (var (name, hotStore) in new[] { ("without cache", uncached), ("with cache", cached) })
{
    await HotLoopAsync(hotStore, TimeSpan.FromMilliseconds(500));
    await client.ExecuteAsync(["CONFIG", "RESETSTAT"]);
    var (refusals, hotSeconds) = await HotLoopAsync(hotStore, TimeSpan.FromSeconds(options.Seconds));
    var hotStats = (await client.ExecuteAsync(["INFO", "commandstats"])).AsString() ?? string.Empty;
    var hotEvalsha = hotStats.Split('\n').FirstOrDefault(l => l.StartsWith("cmdstat_evalsha:", StringComparison.Ordinal))?.Trim().Split(',')[0] ?? "cmdstat_evalsha:calls=0";
    Console.WriteLine($"hot over-limit key, {name}: {refusals / hotSeconds:0} refusals/s, {hotEvalsha} for {refusals} refusals");
}

return 0;

async Task<(long Decisions, double Seconds)> HotLoopAsync(RedisCounterStore hotStore, TimeSpan duration)
{
    long count = 0;
    var stopwatch = Stopwatch.StartNew();
    var tasks = Enumerable.Range(0, options.Callers).Select(_ => Task.Run(async () =>
    {
        var ops = new[] { hot };
        var results = new CounterResult[1];
        long local = 0;
        while (stopwatch.Elapsed < duration)
        {
            await hotStore.ApplyAsync(ops, results, now + local);
            local++;
        }

        Interlocked.Add(ref count, local);
    })).ToArray();
    await Task.WhenAll(tasks);
    return (count, stopwatch.Elapsed.TotalSeconds);
}

async Task<(long Decisions, double Seconds)> ClosedLoopAsync(TimeSpan duration)
{
    long count = 0;
    var stopwatch = Stopwatch.StartNew();
    var tasks = Enumerable.Range(0, options.Callers).Select(caller => Task.Run(async () =>
    {
        var random = new Random(caller);
        var ops = new CounterOperation[1];
        var results = new CounterResult[1];
        long local = 0;
        while (stopwatch.Elapsed < duration)
        {
            ops[0] = op with { Key = "bench|" + random.Next(options.Keys).ToString(CultureInfo.InvariantCulture) };
            await store.ApplyAsync(ops, results, now);
            local++;
        }

        Interlocked.Add(ref count, local);
    })).ToArray();
    await Task.WhenAll(tasks);
    return (count, stopwatch.Elapsed.TotalSeconds);
}

async Task<double[]> OpenLoopAsync(double rate, TimeSpan duration)
{
    var perCaller = rate / options.Callers;
    var interval = TimeSpan.FromSeconds(1 / perCaller);
    var all = new List<double>[options.Callers];
    var stopwatch = Stopwatch.StartNew();
    var tasks = Enumerable.Range(0, options.Callers).Select(caller => Task.Run(async () =>
    {
        var random = new Random(caller + 1000);
        var ops = new CounterOperation[1];
        var results = new CounterResult[1];
        var mine = all[caller] = new List<double>();
        var next = TimeSpan.FromTicks(random.NextInt64(interval.Ticks));
        while (next < duration)
        {
            var wait = next - stopwatch.Elapsed;
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait);
            }

            ops[0] = op with { Key = "bench|" + random.Next(options.Keys).ToString(CultureInfo.InvariantCulture) };
            var started = Stopwatch.GetTimestamp();
            await store.ApplyAsync(ops, results, now);
            mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            next += interval;
        }
    })).ToArray();
    await Task.WhenAll(tasks);
    return all.SelectMany(l => l).ToArray();
}

static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? 0 : sorted[Math.Min((int)(sorted.Length * p), sorted.Length - 1)];

internal sealed record Args(int Port, int Callers, int Seconds, int Connections, int Keys, bool PrintArgs)
{
    public static Args Parse(string[] args)
    {
        var port = 6379;
        var callers = 64;
        var seconds = 5;
        var connections = 2;
        var keys = 100_000;
        var print = false;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--port": port = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--callers": callers = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--seconds": seconds = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--connections": connections = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--keys": keys = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--print-args": print = true; break;
                default: throw new ArgumentException($"unknown argument {args[i]}; use --port, --callers, --seconds, --connections, --keys, --print-args");
            }
        }

        return new Args(port, callers, seconds, connections, keys, print);
    }
}
