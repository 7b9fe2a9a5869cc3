using System.Diagnostics;
using System.Net;

namespace Bulwark.Redis.Tests.Gateway;

/// <summary>
/// Two real gateway processes (<c>bulwark serve</c>) sharing one redis-server enforce one limit in total. Relies only on
/// CONTRACTS.md: the demo API's routes answered, 429 with Retry-After when limited.
/// </summary>
[Collection(nameof(GatewayProcessCollection))]
public sealed class GatewayProcessTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bulwark-gateways-").FullName;

    [RedisFact]
    public async Task Two_gateway_processes_sharing_one_redis_allow_100_per_minute_in_total_across_10000_requests()
    {
        using var redis = RedisServer.Start();
        // FallbackShare 0.3: were Redis not used, the two gateways' local limits would admit 30 + 30, not 100.
        var config = WriteConfig(redis, budgetMs: 1000, fallbackShare: 0.3);
        using var a = await GatewayProcess.StartAsync(config);
        using var b = await GatewayProcess.StartAsync(config);

        // A fixed window of one minute (aligned to the UTC minute) makes "100 per minute" exact. Keep the run inside one
        // window: if the next minute starts in under 30 s, wait for it first.
        var untilNextMinute = TimeSpan.FromMinutes(1) - TimeSpan.FromTicks(DateTime.UtcNow.Ticks % TimeSpan.TicksPerMinute);
        if (untilNextMinute < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(untilNextMinute + TimeSpan.FromMilliseconds(200));
        }

        var window = DateTime.UtcNow.Ticks / TimeSpan.TicksPerMinute;
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 16 };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
        var ok = 0;
        var limited = 0;
        var other = 0;
        var missingRetryAfter = 0;
        var sent = 0;
        var clock = Stopwatch.StartNew();

        // 16 concurrent clients, each request to A or B in turn, 10,000 in all, to a demo API route.
        var clients = Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref sent)) <= 10_000)
            {
                var gateway = i % 2 == 0 ? a : b;
                using var response = await http.GetAsync(new Uri(gateway.BaseAddress, $"api/products/{(i % 50_000) + 1}"));
                switch (response.StatusCode)
                {
                    case HttpStatusCode.OK:
                        Interlocked.Increment(ref ok);
                        break;
                    case HttpStatusCode.TooManyRequests:
                        Interlocked.Increment(ref limited);
                        if (response.Headers.RetryAfter is null)
                        {
                            Interlocked.Increment(ref missingRetryAfter);
                        }

                        break;
                    default:
                        Interlocked.Increment(ref other);
                        break;
                }
            }
        })).ToArray();
        await Task.WhenAll(clients);
        var elapsed = clock.Elapsed;
        Assert.True(DateTime.UtcNow.Ticks / TimeSpan.TicksPerMinute == window, $"the run took {elapsed.TotalSeconds:0.0} s and crossed into the next minute's window; the count is not one window's");

        Assert.True(other == 0, $"{other} answers were neither 200 nor 429\nA:\n{a.Output}\nB:\n{b.Output}");
        Assert.Equal(0, missingRetryAfter);
        Assert.Equal(10_000, ok + limited);

        // Within 1 % of the limit (the shared fixed window is exact, so exactly 100 is expected).
        Assert.InRange(ok, 99, 101);
        Assert.Equal(100, ok);

        // Counted in Redis (not by local fallback limits): at least the 100 admitted requests ran the script there.
        await using var admin = new Client.RedisClient(Client.RedisEndpoint.Parse(redis.Connection()));
        var stats = (await admin.ExecuteAsync(["INFO", "commandstats"])).AsString() ?? string.Empty;
        var line = stats.Split('\n').Single(l => l.StartsWith("cmdstat_evalsha:", StringComparison.Ordinal));
        var calls = long.Parse(line.Split(',')[0].Split('=')[1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(calls, 100, 10_000 + 2);
    }

    [RedisFact]
    public async Task Gateway_processes_answer_within_the_budget_while_redis_is_killed_or_stalled_and_share_counts_again_after()
    {
        using var redis = RedisServer.Start();
        var config = WriteConfig(redis, budgetMs: 50, rate: "100000/min");
        using var a = await GatewayProcess.StartAsync(config);
        using var b = await GatewayProcess.StartAsync(config);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

        // Warm both up (JIT, Redis connections).
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri((i % 2 == 0 ? a : b).BaseAddress, "api/products/1"))).StatusCode);
        }

        foreach (var fault in new[] { "kill", "stop" })
        {
            // Load from 4 clients; mid-way Redis dies (or freezes) for 1.5 s, then comes back.
            var openedBefore = Occurrences(a.Output + b.Output, "circuit opened");
            var closedBefore = Occurrences(a.Output + b.Output, "circuit closed");
            var slowest = TimeSpan.Zero;
            var statuses = new System.Collections.Concurrent.ConcurrentBag<HttpStatusCode>();
            using var stop = new CancellationTokenSource();
            var load = Enumerable.Range(0, 4).Select(c => Task.Run(async () =>
            {
                var n = 0;
                while (!stop.IsCancellationRequested)
                {
                    var watch = Stopwatch.StartNew();
                    using var response = await http.GetAsync(new Uri((n++ % 2 == 0 ? a : b).BaseAddress, "api/products/2"));
                    var took = watch.Elapsed;
                    statuses.Add(response.StatusCode);
                    lock (statuses)
                    {
                        slowest = took > slowest ? took : slowest;
                    }
                }
            })).ToArray();

            await Task.Delay(500);
            if (fault == "kill")
            {
                redis.Kill();
                await Task.Delay(1500);
                redis.Start();
            }
            else
            {
                redis.Pause();
                await Task.Delay(1500);
                redis.Resume();
            }

            await Task.Delay(1500);
            await stop.CancelAsync();
            await Task.WhenAll(load);

            // Fail mode open: every request answered (200 from local limits at FallbackShare), none waited much past
            // the 50 ms budget (2 s of margin for a loaded 2-core machine, where a request alone can take a while).
            Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));

            // The gateways noticed (their logs say the circuit opened) and went back to Redis (it closed again).
            var logs = a.Output + b.Output;
            Assert.True(Occurrences(logs, "circuit opened") > openedBefore, $"{fault}: no gateway logged an open circuit:\n{logs}");
            Assert.True(Occurrences(logs, "circuit closed") > closedBefore, $"{fault}: no gateway logged the circuit closing again:\n{logs}");
            Assert.True(slowest < TimeSpan.FromMilliseconds(50) + TimeSpan.FromSeconds(2), $"{fault}: the slowest request took {slowest.TotalMilliseconds:0} ms");
        }

        // Shared counting again: a 5-per-hour limit on another route is enforced in total across both processes. (Per
        // hour, not per minute: the fixed window's boundary must not fall inside the 20 requests — a 5/min window let a
        // sixth through when a run straddled a minute.)
        var shared = WriteConfig(redis, budgetMs: 1000, rate: "5/h", name: "after");
        using var c = await GatewayProcess.StartAsync(shared);
        using var d = await GatewayProcess.StartAsync(shared);
        var allowed = 0;
        for (var i = 0; i < 20; i++)
        {
            var response = await http.GetAsync(new Uri((i % 2 == 0 ? c : d).BaseAddress, "api/products/3"));
            allowed += response.StatusCode == HttpStatusCode.OK ? 1 : 0;
        }

        Assert.Equal(5, allowed);
    }

    /// <inheritdoc />
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static int Occurrences(string text, string part)
    {
        var count = 0;
        for (var i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + 1, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    private string WriteConfig(RedisServer redis, int budgetMs, string rate = "100/min", string name = "products", double fallbackShare = 0.5)
    {
        var path = Path.Combine(_dir, $"bulwark-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, $$"""
            {
              "Bulwark": {
                "State": {
                  "Store": "redis",
                  "Redis": { "Connection": "{{redis.Connection()}}", "KeyPrefix": "gp{{Guid.NewGuid():N}}:", "BudgetMs": {{budgetMs}}, "FallbackShare": {{fallbackShare.ToString(System.Globalization.CultureInfo.InvariantCulture)}} }
                },
                "Routes": [ { "Path": "/api/products/*", "Policy": "products" } ],
                "Policies": {
                  "products": {
                    "Thresholds": { "Delay": 0, "Challenge": 0, "Block": 0 },
                    "Limits": [ { "Name": "{{name}}", "Key": "global", "Rate": "{{rate}}", "Algorithm": "fixed_window" } ]
                  }
                }
              }
            }
            """);
        return path;
    }
}

/// <summary>Gateway process tests run alone: they start several processes and load the 2-core machine.</summary>
[CollectionDefinition(nameof(GatewayProcessCollection), DisableParallelization = true)]
public sealed class GatewayProcessCollection;
