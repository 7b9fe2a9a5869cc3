using System.Collections.Concurrent;
using System.Diagnostics;
using Bulwark.Core.Limits;
using Bulwark.Redis.Limits;
using Xunit.Abstractions;

namespace Bulwark.Redis.Tests.Limits;

/// <summary>
/// Redis dies or stalls under load: every call still returns within the budget plus a margin, failing only with
/// <see cref="CounterStoreUnavailableException"/>, and shared counting resumes after recovery. Each test owns its server.
/// </summary>
public sealed class FailureTests
{
    private readonly ITestOutputHelper _output;

    public FailureTests(ITestOutputHelper output) => _output = output;

    private static readonly TimeSpan Budget = TimeSpan.FromMilliseconds(250);

    /// <summary>Generous, so a busy CI machine does not make the test flaky; a hung call would take seconds.</summary>
    private static readonly TimeSpan Margin = TimeSpan.FromMilliseconds(2000);

    [RedisFact]
    public async Task Killing_and_restarting_redis_under_load_fails_fast_and_recovers()
    {
        using var server = RedisServer.Start();
        await using var store = TestStores.Create(server, budget: Budget, breakAfter: 3);
        await RunOutageAsync(store, server.Kill, server.Start);
    }

    [RedisFact]
    public async Task A_stalled_redis_under_load_fails_fast_and_recovers()
    {
        using var server = RedisServer.Start();
        await using var store = TestStores.Create(server, budget: Budget, breakAfter: 3);
        await RunOutageAsync(store, server.Pause, server.Resume);
    }

    /// <summary>
    /// Runs a blocking server action (kill and wait, start and poll) on its own thread, so it does not hold a thread-pool
    /// thread the store's timers and continuations need (on a 2-vCPU machine the pool starts with 2).
    /// </summary>
    private static Task OffThePoolAsync(Action action) =>
        Task.Factory.StartNew(action, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>Connects and loads the script (slow on a busy machine) before the clock starts; retries past the circuit.</summary>
    private static async Task WarmUpAsync(RedisCounterStore store)
    {
        var op = new[] { new CounterOperation { Key = "warm|x", Algorithm = LimitAlgorithm.FixedWindow, Mode = CounterMode.Acquire, Permits = 1000, PeriodTicks = TimeSpan.TicksPerMinute, Cost = 1 } };
        var started = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await store.ApplyAsync(op, new CounterResult[1], TestStores.Now);
                return;
            }
            catch (CounterStoreUnavailableException) when (started.Elapsed < TimeSpan.FromSeconds(10))
            {
                await Task.Delay(50);
            }
        }
    }

    private async Task RunOutageAsync(RedisCounterStore store, Action fail, Action recover)
    {
        await WarmUpAsync(store);
        var durations = new ConcurrentBag<TimeSpan>();
        var unexpected = new ConcurrentBag<Exception>();
        var ok = 0;
        var unavailable = 0;
        string? lastFailure = null;
        using var stop = new CancellationTokenSource();
        var load = Enumerable.Range(0, 8).Select(caller => Task.Run(async () =>
        {
            var op = new[] { new CounterOperation { Key = $"load|caller{caller}", Algorithm = LimitAlgorithm.TokenBucket, Mode = CounterMode.Acquire, Permits = 1_000_000, PeriodTicks = TimeSpan.TicksPerSecond, Burst = 1_000_000, Cost = 1 } };
            var result = new CounterResult[1];
            var failed = false;
            while (!stop.IsCancellationRequested)
            {
                var started = Stopwatch.GetTimestamp();
                try
                {
                    await store.ApplyAsync(op, result, TestStores.Now);
                    Interlocked.Increment(ref ok);
                }
                catch (CounterStoreUnavailableException e)
                {
                    lastFailure = e.Message + (e.InnerException is { } inner ? " <- " + inner.Message : string.Empty);
                    Interlocked.Increment(ref unavailable);
                    failed = true;
                }
                catch (Exception e)
                {
                    unexpected.Add(e);
                }

                durations.Add(Stopwatch.GetElapsedTime(started));
                if (failed)
                {
                    // A gateway would serve the request locally; don't spin (not part of the measured call).
                    failed = false;
                    await Task.Delay(2);
                }
            }
        })).ToArray();

        var before = Stopwatch.StartNew();
        while (Volatile.Read(ref ok) < 50 && before.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(20);
        }

        Assert.True(Volatile.Read(ref ok) > 0, $"no call succeeded before the outage; last failure: {lastFailure}");
        await OffThePoolAsync(fail);
        await Task.Delay(1500);
        var failedDuringOutage = Volatile.Read(ref unavailable);
        await OffThePoolAsync(recover);

        // Recovery: reconnect backoff (≤ 2 s) and the circuit's probe (≤ 400 ms here); allow plenty.
        var okAtRecovery = Volatile.Read(ref ok);
        var waited = Stopwatch.StartNew();
        while (Volatile.Read(ref ok) < okAtRecovery + 100 && waited.Elapsed < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(50);
        }

        await stop.CancelAsync();
        await Task.WhenAll(load);

        Assert.Empty(unexpected);
        Assert.True(failedDuringOutage > 0, "no call failed during the outage");
        Assert.True(Volatile.Read(ref ok) >= okAtRecovery + 100, $"counting did not resume within 20 s (circuit {store.Circuit.State}); last failure: {lastFailure}");
        var slowest = durations.Max();
        var sorted = durations.OrderBy(d => d).ToArray();
        _output.WriteLine($"calls {sorted.Length}, ok {ok}, unavailable {unavailable} ({failedDuringOutage} during the outage), p50 {sorted[sorted.Length / 2].TotalMilliseconds:0.0} ms, p99 {sorted[sorted.Length * 99 / 100].TotalMilliseconds:0.0} ms, max {slowest.TotalMilliseconds:0.0} ms, recovered in {waited.Elapsed.TotalMilliseconds:0} ms");
        Assert.True(slowest <= Budget + Margin, $"a call took {slowest.TotalMilliseconds:0} ms; the budget is {Budget.TotalMilliseconds} ms");
        Assert.Equal(CircuitState.Closed, store.Circuit.State);

        // Shared counting works again: a fresh limit of 3 admits exactly 3.
        var limited = new[] { new CounterOperation { Key = "after|x", Algorithm = LimitAlgorithm.FixedWindow, Mode = CounterMode.Acquire, Permits = 3, PeriodTicks = TimeSpan.TicksPerMinute, Cost = 1 } };
        var results = new CounterResult[1];
        var admitted = 0;
        for (var i = 0; i < 5; i++)
        {
            await store.ApplyAsync(limited, results, TestStores.Now);
            admitted += results[0].Allowed ? 1 : 0;
        }

        Assert.Equal(3, admitted);
    }
}
