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

    /// <summary>Starts subscribing in the background (idempotent).</summary>
    public void Start() => _loop ??= Task.Run(RunAsync);

    /// <summary>Bans <paramref name="value"/> here at once and on every gateway through Redis.</summary>
    /// <exception cref="ArgumentException">The value is not valid for the target (see <see cref="BanList.Add"/>).</exception>
    /// <exception cref="RedisException">Redis could not store or publish it (the local ban stands).</exception>
    public async Task<Ban> AddAsync(BanTarget target, string value, TimeSpan ttl, string reason, CancellationToken cancellationToken = default)
    {
        var ban = _local.Add(target, value, ttl, reason, _time.GetUtcNow());
        var record = new SharedBanRecord("add", (int)ban.Target, ban.Value, ban.ExpiresAt.UtcTicks, ban.CreatedAt.UtcTicks, ban.Reason);
        await _client.EvaluateAsync(AddScript, 1, new RedisArg[] { _key, Field(ban.Target, ban.Value), JsonSerializer.Serialize(record) }, cancellationToken);
        return ban;
    }

    /// <summary>Lifts the ban here and on every gateway; true when Redis held it.</summary>
    public async Task<bool> RemoveAsync(BanTarget target, string value, CancellationToken cancellationToken = default)
    {
        _local.Remove(target, value);
        var normalized = Normalize(target, value);
        var record = new SharedBanRecord("remove", (int)target, normalized, 0, 0, string.Empty);
        var reply = await _client.EvaluateAsync(RemoveScript, 1, new RedisArg[] { _key, Field(target, normalized), JsonSerializer.Serialize(record) }, cancellationToken);
        return reply.Integer > 0;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            await _loop;
        }
    }

    /// <summary>Stops synchronously (for containers disposed with <c>Dispose</c>); prefer <see cref="DisposeAsync"/>.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private static string Field(BanTarget target, string value) => $"{(int)target}|{value}";

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
    }

    [LoggerMessage(EventId = 3101, Level = LogLevel.Information, Message = "Shared bans: subscribed to {Channel} and loaded the list")]
    private static partial void LogSubscribed(ILogger logger, string channel);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Warning, Message = "Shared bans: lost the subscription to {Channel}; reconnecting")]
    private static partial void LogLost(ILogger logger, string channel);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Warning, Message = "Shared bans: cannot subscribe to {Channel}; retrying in {BackoffMs} ms: {Error}")]
    private static partial void LogFailed(ILogger logger, string channel, double backoffMs, string error);
}
