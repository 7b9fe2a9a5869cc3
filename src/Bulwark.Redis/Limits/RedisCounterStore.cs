using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;
using Bulwark.Core;
using Bulwark.Core.Limits;
using Bulwark.Redis.Client;
using Bulwark.Redis.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bulwark.Redis.Limits;

/// <summary>
/// Counters shared through Redis: every operation of one call runs in one Lua script (EVALSHA), atomically, so a request
/// costs one round trip and concurrent requests pipeline over the client's connections. The script is a port of the
/// in-memory algorithms and gives the same results (see docs/redis.md for precision). Time is the caller's
/// <c>nowTicks</c>, never Redis's clock. A call that cannot finish within the budget, or finds the circuit open, throws
/// <see cref="CounterStoreUnavailableException"/> promptly, so the engine applies the policy's fail mode.
/// </summary>
public sealed partial class RedisCounterStore : ICounterStore, IAsyncDisposable, IDisposable
{
    /// <summary>
    /// Times in Redis are ticks since this instant (2024-01-01 UTC), so they stay below 2⁵³ and exact in Lua's doubles
    /// until 2052. Every gateway sharing a Redis must use the same epoch (it is a constant).
    /// </summary>
    public static readonly long EpochTicks = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks;

    /// <summary>The largest integer a Lua double holds exactly (2⁵³ − 1).</summary>
    public const long MaxExactInteger = (1L << 53) - 1;

    /// <summary>
    /// Farthest <c>nowTicks</c> may be from <see cref="EpochTicks"/>: 2⁵³ − 2⁵⁰ ticks (about 24.9 years, so 1999 to 2048),
    /// leaving 2⁵⁰ ticks (3.5 years) of headroom for the expiry times the script adds to it.
    /// </summary>
    public const long MaxRelativeTicks = MaxExactInteger - (1L << 50);

    private const int ArgsPerOperation = 9;
    private const int ResultsPerOperation = 6;

    private static readonly RedisScript Script = LoadScript();

    private readonly IRedisClient _client;
    private readonly bool _ownsClient;
    private readonly RedisCounterStoreOptions _options;
    private readonly RedisCircuitBreaker _breaker;
    private readonly ILogger _logger;
    private readonly Meter _meter;
    private readonly Counter<long> _transitions;
    private readonly Counter<long> _unavailable;
    private readonly Counter<long> _localAnswers;
    private readonly RefusalCache? _refusals;
    private readonly long _slackMs;
    private long _localAnswerCount;
    private int _disposed;

    /// <summary>Creates a store over <paramref name="client"/>; <paramref name="ownsClient"/>: dispose it with the store.</summary>
    public RedisCounterStore(
        IRedisClient client,
        RedisCounterStoreOptions? options = null,
        bool ownsClient = false,
        TimeProvider? timeProvider = null,
        ILogger<RedisCounterStore>? logger = null,
        IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _ownsClient = ownsClient;
        _options = options ?? new RedisCounterStoreOptions();
        if (_options.KeyPrefix.AsSpan().IndexOfAny('{', '}') >= 0)
        {
            throw new ArgumentException("KeyPrefix must not contain '{' or '}': the store puts the hash tag around the client value.", nameof(options));
        }

        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(_options.Budget, TimeSpan.Zero, nameof(options));
        _slackMs = (long)Math.Ceiling(_options.ExpirySlack.TotalMilliseconds);
        _breaker = new RedisCircuitBreaker(timeProvider ?? TimeProvider.System, _options.BreakAfter, _options.OpenFor, _options.MaxOpenFor);
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _meter = meterFactory?.Create(BulwarkMetrics.MeterName) ?? new Meter(BulwarkMetrics.MeterName);
        _transitions = _meter.CreateCounter<long>("bulwark.store.circuit", "{transition}", "Counter store circuit breaker transitions, by new state.");
        _unavailable = _meter.CreateCounter<long>("bulwark.store.unavailable", "{call}", "Counter store calls refused as unavailable, by reason.");
        _localAnswers = _meter.CreateCounter<long>("bulwark.store.local_refusals", "{call}", "Counter store calls answered from known refusals without a Redis call.");
        _refusals = _options.RefusalCacheEntries > 0 ? new RefusalCache(_options.RefusalCacheEntries) : null;
        _breaker.StateChanged += OnCircuitChanged;
    }

    /// <summary>Calls answered from the cache of known refusals, without Redis, since the store was created.</summary>
    public long LocalAnswers => Interlocked.Read(ref _localAnswerCount);

    /// <summary>How many known refusals the store keeps at most (0 when the cache is off); 40 bytes each.</summary>
    public int RefusalCacheCapacity => _refusals?.Capacity ?? 0;

    /// <summary>Forgets every known refusal, for example after counters were deleted from Redis by hand.</summary>
    public void ClearRefusals() => _refusals?.Clear();

    /// <summary>The circuit breaker guarding Redis.</summary>
    public RedisCircuitBreaker Circuit => _breaker;

    /// <summary>The client the store talks through.</summary>
    public IRedisClient Client => _client;

    /// <summary>The script the store runs (for benchmarks and diagnostics).</summary>
    public static RedisScript CounterScript => Script;

    /// <summary>The Redis key of counter <paramref name="key"/>: the prefix, then the key with its client value (after the first <c>|</c>) as the hash tag.</summary>
    public string RedisKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var bar = key.IndexOf('|', StringComparison.Ordinal);
        return bar < 0
            ? string.Concat(_options.KeyPrefix, "{", key, "}")
            : $"{_options.KeyPrefix}{key.AsSpan(0, bar + 1)}{{{key.AsSpan(bar + 1)}}}";
    }

    /// <inheritdoc />
    public ValueTask ApplyAsync(ReadOnlyMemory<CounterOperation> operations, Memory<CounterResult> results, long nowTicks, CancellationToken cancellationToken = default)
    {
        if (results.Length < operations.Length)
        {
            throw new ArgumentException("results must have room for one result per operation.", nameof(results));
        }

        var relativeNow = nowTicks - EpochTicks;
        if (nowTicks < 0 || Math.Abs(relativeNow) > MaxRelativeTicks)
        {
            ThrowNowOutOfRange(nowTicks);
        }

        var ops = operations.Span;
        for (var i = 0; i < ops.Length; i++)
        {
            CounterOperationValidation.Validate(ops[i], i);
        }

        if (ops.Length == 0)
        {
            return ValueTask.CompletedTask;
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        if (_refusals is not null && TryAnswerLocally(_refusals, ops, results.Span, nowTicks))
        {
            return ValueTask.CompletedTask;
        }

        return ApplyCoreAsync(BuildArguments(ops, nowTicks), operations, results, nowTicks, cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _breaker.StateChanged -= OnCircuitChanged;
        _meter.Dispose();
        if (_ownsClient)
        {
            await _client.DisposeAsync();
        }
    }

    /// <summary>
    /// Opens a connection and loads the script, so the first requests do not pay for both inside their budget. Failures
    /// are ignored: requests then connect on demand.
    /// </summary>
    public async Task WarmUpAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await _client.ExecuteAsync(["SCRIPT", "LOAD", Script.Source], cancellationToken);
        }
        catch (Exception e) when (e is RedisException or OperationCanceledException)
        {
            // Redis is not there yet; the circuit breaker and the fail mode handle requests until it is.
        }
    }

    /// <summary>Disposes synchronously (for containers disposed with <c>Dispose</c>); prefer <see cref="DisposeAsync"/>.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private async ValueTask ApplyCoreAsync(RedisArg[] args, ReadOnlyMemory<CounterOperation> operations, Memory<CounterResult> results, long nowTicks, CancellationToken cancellationToken)
    {
        var count = operations.Length;
        if (!_breaker.TryEnter(out var probe))
        {
            CountUnavailable("circuit_open");
            throw new CounterStoreUnavailableException("The Redis counter store's circuit is open after repeated failures; retrying Redis shortly.");
        }

        RedisReply reply;
        using (var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            budget.CancelAfter(_options.Budget);
            try
            {
                reply = await _client.EvaluateAsync(Script, count, args, budget.Token);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                _breaker.OnAbandoned(probe);
                throw;
            }
            catch (OperationCanceledException e)
            {
                throw Unavailable(probe, "timeout", $"Redis did not answer within the {_options.Budget.TotalMilliseconds} ms budget.", e);
            }
            catch (RedisException e)
            {
                throw Unavailable(probe, e is RedisServerException ? "error" : "connection", "Redis failed: " + e.Message, e);
            }
        }

        if (reply.Items is not { } items || items.Length != count * ResultsPerOperation)
        {
            throw Unavailable(probe, "error", $"The counter script returned {reply} instead of {count * ResultsPerOperation} integers.", null);
        }

        _breaker.OnSuccess(probe);
        var span = results.Span;
        for (var i = 0; i < count; i++)
        {
            var o = i * ResultsPerOperation;
            var retry = items[o + 4].Integer;
            span[i] = new CounterResult
            {
                Allowed = items[o].Integer != 0,
                Spent = items[o + 1].Integer != 0,
                Remaining = items[o + 2].Integer,
                ResetAfterTicks = items[o + 3].Integer,
                RetryAfterTicks = retry < 0 ? long.MaxValue : retry,
                DelayTicks = items[o + 5].Integer,
            };
        }

        if (_refusals is not null)
        {
            RememberRefusals(_refusals, operations.Span, results.Span, nowTicks);
        }
    }

    /// <summary>
    /// Answers the call without Redis when its outcome is certain: an Acquire operation is known refused (so the batch
    /// spends nothing, all or nothing, exactly as Redis would answer), or every operation is a Peek and one is known
    /// refused (Peeks change nothing). A known-refused Peek beside live Acquire operations still goes to Redis, because
    /// Redis would spend those Acquires (a Peek's refusal does not stop the batch). Calls with Charge or Release always go
    /// to Redis. Known-refused operations get their refusal; the others "allowed, not spent" with Remaining and reset 0
    /// (Redis would have checked them too; the decision is the same refusal, its Retry-After the known one).
    /// </summary>
    private bool TryAnswerLocally(RefusalCache cache, ReadOnlySpan<CounterOperation> ops, Span<CounterResult> results, long nowTicks)
    {
        var allPeek = true;
        foreach (ref readonly var op in ops)
        {
            if (op.Mode is CounterMode.Charge or CounterMode.Release)
            {
                return false;
            }

            allPeek &= op.Mode == CounterMode.Peek;
        }

        var acquireHit = false;
        var anyHit = false;
        for (var i = 0; i < ops.Length; i++)
        {
            ref readonly var op = ref ops[i];
            if (RefusalCache.Cacheable(op) && cache.TryGet(RefusalCache.KeyOf(op, CounterKeyHash.Of(op.Key)), op, nowTicks, out results[i]))
            {
                anyHit = true;
                acquireHit |= op.Mode == CounterMode.Acquire;
            }
            else
            {
                results[i] = new CounterResult { Allowed = true };
            }
        }

        if (!acquireHit && !(allPeek && anyHit))
        {
            return false;
        }

        Interlocked.Increment(ref _localAnswerCount);
        if (_localAnswers.Enabled)
        {
            _localAnswers.Add(1);
        }

        return true;
    }

    /// <summary>
    /// Remembers each refused cacheable operation whose key is alone in the batch (an earlier operation on the same key
    /// would have changed the counter the refusal was computed on, and all or nothing then undid that change).
    /// </summary>
    private static void RememberRefusals(RefusalCache cache, ReadOnlySpan<CounterOperation> ops, ReadOnlySpan<CounterResult> results, long nowTicks)
    {
        for (var i = 0; i < ops.Length; i++)
        {
            ref readonly var op = ref ops[i];
            if (results[i].Allowed || !RefusalCache.Cacheable(op))
            {
                continue;
            }

            var alone = true;
            for (var j = 0; j < ops.Length && alone; j++)
            {
                alone = j == i || !string.Equals(ops[j].Key, op.Key, StringComparison.Ordinal);
            }

            if (alone)
            {
                cache.Add(RefusalCache.KeyOf(op, CounterKeyHash.Of(op.Key)), op, results[i], nowTicks);
            }
        }
    }

    private CounterStoreUnavailableException Unavailable(bool probe, string reason, string message, Exception? inner)
    {
        _breaker.OnFailure(probe, message);
        CountUnavailable(reason);
        return new CounterStoreUnavailableException(message, inner);
    }

    private void CountUnavailable(string reason)
    {
        if (_unavailable.Enabled)
        {
            _unavailable.Add(1, new KeyValuePair<string, object?>("bulwark.reason", reason));
        }
    }

    private RedisArg[] BuildArguments(ReadOnlySpan<CounterOperation> ops, long nowTicks)
    {
        var args = new RedisArg[ops.Length + 2 + (ops.Length * ArgsPerOperation)];
        var a = ops.Length;
        args[a++] = nowTicks - EpochTicks;
        args[a++] = _slackMs;
        for (var i = 0; i < ops.Length; i++)
        {
            ref readonly var op = ref ops[i];
            args[i] = RedisKey(op.Key);
            args[a++] = (long)op.Algorithm;
            args[a++] = (long)op.Mode;
            args[a++] = op.Permits;
            args[a++] = op.PeriodTicks;
            args[a++] = op.Burst;
            args[a++] = op.Cost;
            args[a++] = op.MaxDelayTicks;

            // Window arithmetic on absolute ticks happens here, exactly; the script sees a window index relative to the
            // epoch's own window, so it stays small, and the offset into the window.
            var window = Math.DivRem(nowTicks, op.PeriodTicks, out var elapsed);
            args[a++] = window - (EpochTicks / op.PeriodTicks);
            args[a++] = elapsed;
        }

        Debug.Assert(a == args.Length);
        return args;
    }

    private void OnCircuitChanged(CircuitState state, string reason)
    {
        switch (state)
        {
            case CircuitState.Open:
                LogCircuitOpened(_logger, _breaker.OpenFor.TotalMilliseconds, reason);
                break;
            case CircuitState.HalfOpen:
                LogCircuitHalfOpen(_logger);
                break;
            default:
                LogCircuitClosed(_logger);
                break;
        }

        if (_transitions.Enabled)
        {
            _transitions.Add(1, new KeyValuePair<string, object?>("bulwark.circuit.state", state switch
            {
                CircuitState.Open => "open",
                CircuitState.HalfOpen => "half_open",
                _ => "closed",
            }));
        }
    }

    private static RedisScript LoadScript()
    {
        using var stream = typeof(RedisCounterStore).Assembly.GetManifestResourceStream("Bulwark.Redis.Limits.counters.lua")
            ?? throw new InvalidOperationException("The counter script resource is missing from Bulwark.Redis.");
        using var reader = new StreamReader(stream);
        return new RedisScript(reader.ReadToEnd());
    }

    [DoesNotReturn]
    private static void ThrowNowOutOfRange(long nowTicks) =>
        throw new ArgumentOutOfRangeException(nameof(nowTicks), nowTicks, "The Redis store keeps times relative to 2024-01-01 UTC and needs nowTicks (UTC ticks) between 1999 and 2048.");

    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "Redis counter store circuit opened for {OpenForMs} ms: {Reason}")]
    private static partial void LogCircuitOpened(ILogger logger, double openForMs, string reason);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Redis counter store circuit half-open: probing Redis")]
    private static partial void LogCircuitHalfOpen(ILogger logger);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Information, Message = "Redis counter store circuit closed: Redis is answering again")]
    private static partial void LogCircuitClosed(ILogger logger);
}
