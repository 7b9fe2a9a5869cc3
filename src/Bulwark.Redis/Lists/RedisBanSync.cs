using System.Text.Json;
using Bulwark.Core.Lists;
using Bulwark.Redis.Client;
using Bulwark.Redis.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bulwark.Redis.Lists;

/// <summary>
/// Shares bans between gateways. Every ban lives in one Redis hash (<c>{prefix}bans</c>, field <c>target|value</c>, a
/// JSON value with its expiry) and every change is published on the channel of the same name. Each gateway keeps its
/// local <see cref="BanList"/> (which the engine reads without any Redis call) in step: it subscribes, then loads the
/// whole hash, and applies each published change as it arrives, so a ban added on one gateway applies on all within a
/// round trip. After a lost subscription it reconnects (backoff 200 ms doubling to 5 s) and loads the hash again.
/// </summary>
public sealed partial class RedisBanSync : IAsyncDisposable, IDisposable
{
    private static readonly RedisScript AddScript = new("redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) redis.call('PUBLISH', KEYS[1], ARGV[2]) return 1");
    private static readonly RedisScript RemoveScript = new("local n = redis.call('HDEL', KEYS[1], ARGV[1]) redis.call('PUBLISH', KEYS[1], ARGV[2]) return n");

    private readonly RedisEndpoint _endpoint;
    private readonly IRedisClient _client;
    private readonly BanList _local;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _key;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _firstSync = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _loop;
    private long _published;

    /// <summary>
    /// Set while this thread changes the local list on behalf of Redis (a received or loaded ban) or of
    /// <see cref="AddAsync"/>/<see cref="RemoveAsync"/>, which publish themselves: such changes are not published again,
    /// so a ban received from Redis never echoes back.
    /// </summary>
    [ThreadStatic]
    private static RedisBanSync? t_quiet;

    /// <summary>Creates the sync; <see cref="Start"/> begins it. <paramref name="client"/> carries writes and the full loads.</summary>
    public RedisBanSync(RedisEndpoint endpoint, IRedisClient client, BanList local, string keyPrefix = "bulwark:", TimeProvider? timeProvider = null, ILogger<RedisBanSync>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(keyPrefix);
        _endpoint = endpoint;
        _client = client;
        _local = local;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _key = keyPrefix + "bans";
    }

    /// <summary>Completes when the first subscription and full load have succeeded.</summary>
    public Task Synced => _firstSync.Task;

    /// <summary>Changes of the local list published to Redis by <see cref="BanList.Changed"/> (the engine's own bans).</summary>
    public long Published => Interlocked.Read(ref _published);

    /// <summary>
    /// Starts subscribing in the background, and publishing every change made to the local list by anyone else (the
    /// engine's own bans: honeypots, lockouts, detectors, operators calling <see cref="BanList.Add"/>) (idempotent).
    /// </summary>
    public void Start()
    {
        if (_loop is null)
        {
            _local.Changed += OnLocalChange;
            _loop = Task.Run(RunAsync);
        }
    }

    /// <summary>Bans <paramref name="value"/> here at once and on every gateway through Redis.</summary>
    /// <exception cref="ArgumentException">The value is not valid for the target (see <see cref="BanList.Add"/>).</exception>
    /// <exception cref="RedisException">Redis could not store or publish it (the local ban stands).</exception>
    public async Task<Ban> AddAsync(BanTarget target, string value, TimeSpan ttl, string reason, CancellationToken cancellationToken = default)
    {
        Ban ban;
        t_quiet = this;
        try
        {
            ban = _local.Add(target, value, ttl, reason, _time.GetUtcNow());
        }
        finally
        {
            t_quiet = null;
        }

        await PublishAddAsync(ban, cancellationToken);
        return ban;
    }

    /// <summary>Lifts the ban here and on every gateway; true when Redis held it.</summary>
    public async Task<bool> RemoveAsync(BanTarget target, string value, CancellationToken cancellationToken = default)
    {
        t_quiet = this;
        try
        {
            _local.Remove(target, value);
        }
        finally
        {
            t_quiet = null;
        }

        return await PublishRemoveAsync(target, Normalize(target, value), cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _local.Changed -= OnLocalChange;
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            await _loop;
        }
    }

    /// <summary>Stops synchronously (for containers disposed with <c>Dispose</c>); prefer <see cref="DisposeAsync"/>.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private static string Field(BanTarget target, string value) => $"{(int)target}|{value}";

    private Task PublishAddAsync(Ban ban, CancellationToken cancellationToken)
    {
        var record = new SharedBanRecord("add", (int)ban.Target, ban.Value, ban.ExpiresAt.UtcTicks, ban.CreatedAt.UtcTicks, ban.Reason);
        return _client.EvaluateAsync(AddScript, 1, new RedisArg[] { _key, Field(ban.Target, ban.Value), JsonSerializer.Serialize(record) }, cancellationToken);
    }

    private async Task<bool> PublishRemoveAsync(BanTarget target, string normalized, CancellationToken cancellationToken)
    {
        var record = new SharedBanRecord("remove", (int)target, normalized, 0, 0, string.Empty);
        var reply = await _client.EvaluateAsync(RemoveScript, 1, new RedisArg[] { _key, Field(target, normalized), JsonSerializer.Serialize(record) }, cancellationToken);
        return reply.Integer > 0;
    }

    /// <summary>A change someone made to the local list: publish it (in the order made: commands pipeline in order).</summary>
    private void OnLocalChange(BanChange change)
    {
        if (t_quiet == this || _stop.IsCancellationRequested)
        {
            return;
        }

        Interlocked.Increment(ref _published);
        _ = PublishLocalAsync(change);
    }

    private async Task PublishLocalAsync(BanChange change)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            if (change.Ban is { } ban)
            {
                await PublishAddAsync(ban, timeout.Token);
            }
            else
            {
                await PublishRemoveAsync(change.Target, change.Value, timeout.Token);
            }
        }
        catch (Exception e) when (e is RedisException or OperationCanceledException)
        {
            // The ban stands on this gateway; others learn it only if it is made again. Logged, never thrown.
            LogPublishFailed(_logger, change.Target, change.Value, e.Message);
        }
    }

    /// <summary>The value as the ban list stores it (addresses and networks in canonical form), found by a scratch list.</summary>
    private static string Normalize(BanTarget target, string value)
    {
        var scratch = new BanList(1);
        return scratch.Add(target, value, TimeSpan.FromMinutes(1), string.Empty, DateTimeOffset.UnixEpoch).Value;
    }

    private async Task RunAsync()
    {
        var backoff = TimeSpan.FromMilliseconds(200);
        while (!_stop.IsCancellationRequested)
        {
            RedisConnection? connection = null;
            try
            {
                connection = await RedisConnection.OpenAsync(_endpoint, _stop.Token);
                connection.EnterSubscriberMode(OnMessage);
                connection.Send(["SUBSCRIBE", _key]);
                await LoadAllAsync();
                backoff = TimeSpan.FromMilliseconds(200);
                _firstSync.TrySetResult();
                LogSubscribed(_logger, _key);
                await connection.Closed.WaitAsync(_stop.Token);
                LogLost(_logger, _key);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                LogFailed(_logger, _key, backoff.TotalMilliseconds, e.Message);
            }
            finally
            {
                if (connection is not null)
                {
                    await connection.DisposeAsync();
                }
            }

            try
            {
                await Task.Delay(backoff, _time, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
        }
    }

    private async Task LoadAllAsync()
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        var all = await _client.ExecuteAsync(["HGETALL", _key], timeout.Token);
        if (all.IsError)
        {
            throw new RedisServerException(all.Text!);
        }

        var items = all.Items ?? [];
        var expired = new List<RedisArg> { "HDEL", _key };
        for (var i = 0; i + 1 < items.Length; i += 2)
        {
            if (!Apply(items[i + 1].AsString()))
            {
                expired.Add(items[i].AsString() ?? string.Empty);
            }
        }

        if (expired.Count > 2)
        {
            // Redis 7.0 has no per-field expiry; whoever loads the hash sweeps it.
            await _client.ExecuteAsync([.. expired], timeout.Token);
        }
    }

    private void OnMessage(RedisReply reply)
    {
        if (reply.Items is [{ } kind, _, { } payload] && kind.AsString() == "message")
        {
            Apply(payload.AsString());
        }
    }

    /// <summary>Applies one record to the local list; false when it is an expired ban (or unreadable).</summary>
    private bool Apply(string? json)
    {
        SharedBanRecord? record;
        try
        {
            record = json is null ? null : JsonSerializer.Deserialize<SharedBanRecord>(json);
        }
        catch (JsonException)
        {
            record = null;
        }

        if (record is null || !Enum.IsDefined((BanTarget)record.Target))
        {
            return false;
        }

        var target = (BanTarget)record.Target;
        var outer = t_quiet;
        t_quiet = this;
        try
        {
            if (record.Op == "remove")
            {
                _local.Remove(target, record.Value);
                return true;
            }

            var now = _time.GetUtcNow();
            var expiresAt = new DateTimeOffset(record.ExpiresAtTicks, TimeSpan.Zero);
            if (expiresAt <= now)
            {
                return false;
            }

            _local.TryAdd(target, record.Value, expiresAt - now, record.Reason, now, out _);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
        finally
        {
            t_quiet = outer;
        }
    }

    [LoggerMessage(EventId = 3104, Level = LogLevel.Warning, Message = "Shared bans: could not publish the local change to the {Target} ban on {Value}: {Error}")]
    private static partial void LogPublishFailed(ILogger logger, BanTarget target, string value, string error);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Information, Message = "Shared bans: subscribed to {Channel} and loaded the list")]
    private static partial void LogSubscribed(ILogger logger, string channel);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Warning, Message = "Shared bans: lost the subscription to {Channel}; reconnecting")]
    private static partial void LogLost(ILogger logger, string channel);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Warning, Message = "Shared bans: cannot subscribe to {Channel}; retrying in {BackoffMs} ms: {Error}")]
    private static partial void LogFailed(ILogger logger, string channel, double backoffMs, string error);
}
