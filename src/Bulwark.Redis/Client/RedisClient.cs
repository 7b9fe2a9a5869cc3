using Bulwark.Redis.Protocol;

namespace Bulwark.Redis.Client;

/// <summary>
/// A small pool of multiplexed connections to one Redis server. Each command goes to the next healthy connection in
/// turn and is pipelined with every other caller's commands on it. A broken connection is reopened on demand, with
/// exponential backoff (50 ms doubling to 2 s) between failed attempts; during a backoff calls fail at once with
/// <see cref="RedisConnectionException"/> instead of waiting. A connection whose commands have waited 3 s with no byte
/// received (a frozen server, or a path that silently drops packets) is abandoned and replaced.
/// </summary>
public sealed class RedisClient : IRedisClient
{
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(2);

    /// <summary>Commands unanswered this long with no byte received: the connection is abandoned and replaced.</summary>
    private static readonly TimeSpan StallTimeout = TimeSpan.FromSeconds(3);

    private readonly RedisEndpoint _endpoint;
    private readonly TimeProvider _time;
    private readonly Slot[] _slots;
    private readonly CancellationTokenSource _disposed = new();
    private int _next;

    /// <summary>Creates a client for <paramref name="endpoint"/>; connections open on first use.</summary>
    public RedisClient(RedisEndpoint endpoint, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        _endpoint = endpoint;
        _time = timeProvider ?? TimeProvider.System;
        _slots = new Slot[Math.Max(endpoint.Connections, 1)];
        for (var i = 0; i < _slots.Length; i++)
        {
            _slots[i] = new Slot();
        }
    }

    /// <summary>The server this client talks to.</summary>
    public RedisEndpoint Endpoint => _endpoint;

    /// <inheritdoc />
    public async Task<RedisReply> ExecuteAsync(RedisArg[] args, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        var connection = await GetConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(args, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<RedisReply> EvaluateAsync(RedisScript script, int keyCount, ReadOnlyMemory<RedisArg> args, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(script);
        var command = new RedisArg[args.Length + 3];
        command[0] = "EVALSHA";
        command[1] = script.Sha1;
        command[2] = keyCount;
        args.Span.CopyTo(command.AsSpan(3));
        var connection = await GetConnectionAsync(cancellationToken);
        var reply = await connection.ExecuteAsync(command, cancellationToken);
        if (reply.IsError && reply.Text!.StartsWith("NOSCRIPT", StringComparison.Ordinal))
        {
            // The server lost its script cache (restart, SCRIPT FLUSH, failover): load it and run it again, once.
            var loaded = await connection.ExecuteAsync(["SCRIPT", "LOAD", script.Source], cancellationToken);
            if (loaded.IsError)
            {
                throw new RedisServerException("SCRIPT LOAD failed: " + RedisServerException.FromReply(loaded.Text!).Message);
            }

            reply = await connection.ExecuteAsync(command, cancellationToken);
        }

        return reply.IsError ? throw RedisServerException.FromReply(reply.Text!) : reply;
    }

    /// <summary>Test and diagnostics hook: closes every open connection as if the network dropped it.</summary>
    internal void AbortConnections()
    {
        foreach (var slot in _slots)
        {
            slot.Connection?.Abort(new RedisConnectionException("aborted by the application"));
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_disposed.IsCancellationRequested)
        {
            return;
        }

        await _disposed.CancelAsync();
        foreach (var slot in _slots)
        {
            if (slot.Connection is { } connection)
            {
                await connection.DisposeAsync();
            }
        }

        // _disposed is only cancelled, never disposed: a connection attempt racing with disposal may still read its token.
    }

    private ValueTask<RedisConnection> GetConnectionAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        var start = (int)((uint)Interlocked.Increment(ref _next) % (uint)_slots.Length);
        for (var i = 0; i < _slots.Length; i++)
        {
            var slot = _slots[(start + i) % _slots.Length];
            if (slot.Connection is { IsHealthy: true } healthy)
            {
                if (!healthy.IsStalled(StallTimeout))
                {
                    return ValueTask.FromResult(healthy);
                }

                healthy.Abort(new RedisConnectionException($"Redis at {_endpoint} sent nothing for {StallTimeout.TotalSeconds} s while commands waited; reconnecting."));
            }
        }

        return new ValueTask<RedisConnection>(ConnectAsync(_slots[start], cancellationToken));
    }

    private async Task<RedisConnection> ConnectAsync(Slot slot, CancellationToken cancellationToken)
    {
        Task<RedisConnection> connecting;
        lock (slot)
        {
            if (slot.Connection is { IsHealthy: true } healthy)
            {
                return healthy;
            }

            if (slot.Connecting is null)
            {
                var now = _time.GetTimestamp();
                if (now < slot.NextAttempt)
                {
                    var wait = _time.GetElapsedTime(now, slot.NextAttempt);
                    throw new RedisConnectionException(
                        $"Redis at {_endpoint} is unreachable ({slot.LastError?.Message ?? "connection lost"}); the next connection attempt is in {wait.TotalMilliseconds:0} ms.",
                        slot.LastError);
                }

                // On the thread pool, so OpenAsync's own updates of the slot (which take this lock) always come after this
                // assignment, even when the connection fails synchronously (a refused loopback connect does).
                slot.Connecting = Task.Run(() => OpenAsync(slot));
            }

            connecting = slot.Connecting;
        }

        return await connecting.WaitAsync(cancellationToken);
    }

    private async Task<RedisConnection> OpenAsync(Slot slot)
    {
        var old = slot.Connection;
        if (old is not null)
        {
            _ = old.DisposeAsync().AsTask();
        }

        try
        {
            var connection = await RedisConnection.OpenAsync(_endpoint, _disposed.Token);
            lock (slot)
            {
                slot.Connection = connection;
                slot.Failures = 0;
                slot.LastError = null;
                slot.Connecting = null;
            }

            return connection;
        }
        catch (Exception e)
        {
            lock (slot)
            {
                slot.Failures++;
                var backoff = TimeSpan.FromTicks(Math.Min(FirstBackoff.Ticks << Math.Min(slot.Failures - 1, 16), MaxBackoff.Ticks));
                slot.NextAttempt = _time.GetTimestamp() + (long)(backoff.TotalSeconds * _time.TimestampFrequency);
                slot.LastError = e;
                slot.Connecting = null;
            }

            throw;
        }
    }

    /// <summary>One pooled connection and its reconnect state; fields are guarded by locking the slot.</summary>
    private sealed class Slot
    {
        public volatile RedisConnection? Connection;
        public Task<RedisConnection>? Connecting;
        public int Failures;
        public long NextAttempt;
        public Exception? LastError;
    }
}
