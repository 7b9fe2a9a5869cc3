using System.Threading.RateLimiting;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Bulwark.Core.Limits;

namespace Bulwark.Benchmarks;

/// <summary>
/// One permit on the next key, round-robin over <see cref="KeyCount"/> warmed keys, against a rate high enough that every
/// request is admitted. Each algorithm has its own baseline: System.Threading.RateLimiting's partitioned limiter.
/// The keys are first inserted in a shuffled order (fixed seed), then visited in the order their strings were allocated:
/// real clients do not arrive in the order they were first seen, so the limiter's own structures are visited at random,
/// while each key string is (as a freshly built request key is) already in cache. Visiting in insertion order would let
/// the hardware prefetcher hide the baseline's cache misses; visiting strings scattered in memory would add a cache
/// miss per call to both sides that no real request pays.
/// </summary>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class LimiterBenchmarks
{
    private const long Period = TimeSpan.TicksPerSecond;
    private const int HugeRate = 1_000_000_000;

    private string[] _keys = [];
    private string[] _order = [];
    private int _next;
    private long _now;
    private PartitionedRateLimiter<string>? _runtimeTokenBucket;
    private PartitionedRateLimiter<string>? _runtimeSlidingWindow;
    private InMemoryCounterStore _store = null!;
    private CounterOperation[] _tokenBucketOp = [];
    private CounterOperation[] _slidingWindowOp = [];
    private CounterResult[] _results = [];

    [Params(1, 10_000, 1_000_000)]
    public int KeyCount { get; set; }

    // One setup per benchmark so each process holds only the limiter it measures: the runtime's partitioned limiter runs
    // a 100 ms heartbeat over all its limiters, which would otherwise steal a core from the store's run (2-core box).
    [GlobalSetup(Target = nameof(RuntimeTokenBucket))]
    public void SetupRuntimeTokenBucket()
    {
        CreateKeys();

        // AutoReplenishment = false: no per-limiter timer. The partitioned limiter still runs its own heartbeat that
        // replenishes such limiters and scans for idle ones, which is part of its real cost.
        _runtimeTokenBucket = PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = int.MaxValue,
            TokensPerPeriod = int.MaxValue,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            AutoReplenishment = false,
            QueueLimit = 0,
        }));
        foreach (var key in _keys)
        {
            Acquire(_runtimeTokenBucket, key);
        }
    }

    [GlobalSetup(Target = nameof(RuntimeSlidingWindow))]
    public void SetupRuntimeSlidingWindow()
    {
        CreateKeys();
        _runtimeSlidingWindow = PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetSlidingWindowLimiter(key, _ => new SlidingWindowRateLimiterOptions
        {
            PermitLimit = int.MaxValue,
            Window = TimeSpan.FromSeconds(1),
            SegmentsPerWindow = 2,
            AutoReplenishment = false,
            QueueLimit = 0,
        }));
        foreach (var key in _keys)
        {
            Acquire(_runtimeSlidingWindow, key);
        }
    }

    [GlobalSetup(Target = nameof(BulwarkTokenBucket))]
    public void SetupBulwarkTokenBucket()
    {
        _tokenBucketOp = [new CounterOperation { Algorithm = LimitAlgorithm.TokenBucket, Mode = CounterMode.Acquire, Permits = HugeRate, Burst = HugeRate, PeriodTicks = Period, Cost = 1 }];
        SetupStore(_tokenBucketOp);
    }

    [GlobalSetup(Target = nameof(BulwarkSlidingWindow))]
    public void SetupBulwarkSlidingWindow()
    {
        _slidingWindowOp = [new CounterOperation { Algorithm = LimitAlgorithm.SlidingWindow, Mode = CounterMode.Acquire, Permits = HugeRate, PeriodTicks = Period, Cost = 1 }];
        SetupStore(_slidingWindowOp);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _runtimeTokenBucket?.Dispose();
        _runtimeSlidingWindow?.Dispose();
    }

    [Benchmark(Baseline = true, Description = "Runtime partitioned")]
    [BenchmarkCategory("TokenBucket")]
    public bool RuntimeTokenBucket() => Acquire(_runtimeTokenBucket!, NextKey());

    [Benchmark(Description = "Bulwark store")]
    [BenchmarkCategory("TokenBucket")]
    public bool BulwarkTokenBucket()
    {
        _tokenBucketOp[0].Key = NextKey();
        _store.Apply(_tokenBucketOp, _results, ++_now);
        return _results[0].Allowed;
    }

    [Benchmark(Baseline = true, Description = "Runtime partitioned")]
    [BenchmarkCategory("SlidingWindow")]
    public bool RuntimeSlidingWindow() => Acquire(_runtimeSlidingWindow!, NextKey());

    private static bool Acquire(PartitionedRateLimiter<string> limiter, string key)
    {
        using var lease = limiter.AttemptAcquire(key);
        return lease.IsAcquired;
    }

    [Benchmark(Description = "Bulwark store")]
    [BenchmarkCategory("SlidingWindow")]
    public bool BulwarkSlidingWindow()
    {
        _slidingWindowOp[0].Key = NextKey();
        _store.Apply(_slidingWindowOp, _results, ++_now);
        return _results[0].Allowed;
    }

    private void CreateKeys()
    {
        _keys = new string[KeyCount];
        for (var i = 0; i < _keys.Length; i++)
        {
            _keys[i] = "bench-ip|10." + (i >> 16) + "." + ((i >> 8) & 255) + "." + (i & 255);
        }

        // _order is the measured visiting order (allocation order); _keys, the warm-up order, is a shuffle of it.
        _order = (string[])_keys.Clone();
        new Random(42).Shuffle(_keys);
    }

    private void SetupStore(CounterOperation[] op)
    {
        CreateKeys();

        // Room for every key, so the steady state is lookups of existing entries, never eviction.
        _store = new InMemoryCounterStore(Math.Max(2 * KeyCount, 1_000));
        _results = new CounterResult[1];
        _now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).UtcTicks;
        foreach (var key in _keys)
        {
            op[0].Key = key;
            _store.Apply(op, _results, _now);
        }
    }

    private string NextKey()
    {
        var index = _next;
        _next = index + 1 == _order.Length ? 0 : index + 1;
        return _order[index];
    }
}
