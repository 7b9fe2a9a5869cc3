using System.Net;
using System.Net.Sockets;
using System.Text;
using Bulwark.Core.Limits;
using Bulwark.Redis.Client;
using Bulwark.Redis.Limits;
using Bulwark.Redis.Protocol;

namespace Bulwark.Redis.Tests.Protocol;

/// <summary>The RESP client against a real server, and against a fake one that misbehaves.</summary>
public sealed class RedisClientTests : IClassFixture<RedisServerFixture>
{
    private readonly RedisServerFixture _fixture;

    public RedisClientTests(RedisServerFixture fixture) => _fixture = fixture;

    [RedisFact]
    public async Task Large_bulk_and_array_replies_arrive_whole()
    {
        await using var client = new RedisClient(RedisEndpoint.Parse(_fixture.Server.Connection()));
        var key = "big:" + Guid.NewGuid().ToString("N");
        var value = new byte[5 * 1024 * 1024];
        new Random(7).NextBytes(value);
        Assert.Equal("OK", (await client.ExecuteAsync(["SET", key, value])).AsString());
        var got = await client.ExecuteAsync(["GET", key]);
        Assert.Equal(value, got.Bytes);

        var list = "list:" + Guid.NewGuid().ToString("N");
        var push = new RedisArg[10_002];
        push[0] = "RPUSH";
        push[1] = list;
        for (var i = 0; i < 10_000; i++)
        {
            push[i + 2] = (long)i;
        }

        Assert.Equal(10_000, (await client.ExecuteAsync(push)).Integer);
        var range = await client.ExecuteAsync(["LRANGE", list, 0L, -1L]);
        Assert.Equal(10_000, range.Items!.Length);
        Assert.Equal("9999", range.Items[^1].AsString());
    }

    [RedisFact]
    public async Task Error_replies_come_back_as_errors_and_the_connection_stays_usable()
    {
        await using var client = new RedisClient(RedisEndpoint.Parse(_fixture.Server.Connection("connections=1")));
        var pipelined = Enumerable.Range(0, 100).Select(i => client.ExecuteAsync(i % 2 == 0 ? ["NOSUCHCOMMAND", (long)i] : ["ECHO", (long)i])).ToArray();
        var replies = await Task.WhenAll(pipelined);
        for (var i = 0; i < replies.Length; i++)
        {
            if (i % 2 == 0)
            {
                Assert.True(replies[i].IsError);
                Assert.StartsWith("ERR unknown command", replies[i].Text, StringComparison.Ordinal);
            }
            else
            {
                Assert.Equal(i.ToString(), replies[i].AsString());
            }
        }

        var script = new RedisScript("return redis.call('INCRBY', KEYS[1], 'not a number')");
        var error = await Assert.ThrowsAsync<RedisServerException>(() => client.EvaluateAsync(script, 1, new RedisArg[] { "k" }));
        Assert.Contains("not an integer", error.Message, StringComparison.Ordinal);
    }

    [RedisFact]
    public async Task The_store_reloads_its_script_after_script_flush()
    {
        await using var store = TestStores.Create(_fixture.Server);
        await using var admin = new RedisClient(RedisEndpoint.Parse(_fixture.Server.Connection()));
        var op = new[] { new CounterOperation { Key = "flush|x", Algorithm = LimitAlgorithm.FixedWindow, Mode = CounterMode.Acquire, Permits = 5, PeriodTicks = TimeSpan.TicksPerMinute, Cost = 1 } };
        var result = new CounterResult[1];
        await store.ApplyAsync(op, result, TestStores.Now);
        Assert.Equal(4, result[0].Remaining);
        Assert.Equal("OK", (await admin.ExecuteAsync(["SCRIPT", "FLUSH"])).AsString());
        Assert.Equal(0, (await admin.ExecuteAsync(["SCRIPT", "EXISTS", RedisCounterStore.CounterScript.Sha1])).Items![0].Integer);
        await store.ApplyAsync(op, result, TestStores.Now);
        Assert.Equal(3, result[0].Remaining);
    }

    [RedisFact]
    public async Task A_connection_killed_by_the_server_is_replaced()
    {
        await using var store = TestStores.Create(_fixture.Server);
        await using var admin = new RedisClient(RedisEndpoint.Parse(_fixture.Server.Connection("connections=1")));
        var op = new[] { new CounterOperation { Key = "kill|x", Algorithm = LimitAlgorithm.FixedWindow, Mode = CounterMode.Acquire, Permits = 100, PeriodTicks = TimeSpan.TicksPerMinute, Cost = 1 } };
        var result = new CounterResult[1];
        await store.ApplyAsync(op, result, TestStores.Now);
        Assert.True((await admin.ExecuteAsync(["CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"])).Integer >= 1);

        // The first call may find the dead connection; within a few tries a new one carries it.
        var succeeded = false;
        for (var i = 0; i < 50 && !succeeded; i++)
        {
            try
            {
                await store.ApplyAsync(op, result, TestStores.Now);
                succeeded = true;
            }
            catch (CounterStoreUnavailableException)
            {
                await Task.Delay(50);
            }
        }

        Assert.True(succeeded);
        Assert.True(result[0].Remaining < 99);
    }

    [Fact]
    public async Task A_connection_closed_mid_reply_fails_the_pending_command_with_a_clear_error()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var server = Task.Run(async () =>
        {
            using var socket = await listener.AcceptSocketAsync();
            var buffer = new byte[1024];
            await socket.ReceiveAsync(buffer);
            await socket.SendAsync(Encoding.ASCII.GetBytes("$10\r\nhel"));
            await Task.Delay(50);
            socket.Shutdown(SocketShutdown.Both);
        });

        await using var client = new RedisClient(RedisEndpoint.Parse($"127.0.0.1:{port},connections=1"));
        var error = await Assert.ThrowsAsync<RedisConnectionException>(() => client.ExecuteAsync(["GET", "k"]));
        Assert.Contains("middle of a reply", error.Message, StringComparison.Ordinal);
        await server;
    }

    [Fact]
    public async Task A_connection_that_never_answers_is_replaced_after_the_stall_timeout()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var accepted = 0;
        var sockets = new List<Socket>();
        using var stop = new CancellationTokenSource();
        var server = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    // A black hole: accept, read nothing, answer nothing.
                    sockets.Add(await listener.AcceptSocketAsync(stop.Token));
                    Interlocked.Increment(ref accepted);
                }
            }
            catch (OperationCanceledException)
            {
            }
        });

        await using var client = new RedisClient(RedisEndpoint.Parse($"127.0.0.1:{port},connections=1"));
        using (var budget = new CancellationTokenSource(TimeSpan.FromMilliseconds(100)))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.ExecuteAsync(["PING"], budget.Token));
        }

        // Before the stall timeout (3 s) the same connection is used; after it, the next call opens a new one.
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (Volatile.Read(ref accepted) < 2 && waited.Elapsed < TimeSpan.FromSeconds(10))
        {
            using var budget = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
            await Assert.ThrowsAnyAsync<Exception>(() => client.ExecuteAsync(["PING"], budget.Token));
            await Task.Delay(200);
        }

        Assert.True(Volatile.Read(ref accepted) >= 2, "the silent connection was never replaced");
        Assert.True(waited.Elapsed >= TimeSpan.FromSeconds(2.5), $"replaced after only {waited.Elapsed.TotalSeconds:0.0} s");
        await stop.CancelAsync();
        await server;
        foreach (var socket in sockets)
        {
            socket.Dispose();
        }
    }

    [Fact]
    public async Task An_unreachable_server_fails_fast_and_backs_off()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var time = new ManualTime();
        await using var client = new RedisClient(RedisEndpoint.Parse($"127.0.0.1:{port},connections=1"), time);
        // Refused at once, or (on a very busy machine) timed out after the 1 s connect timeout: either way an attempt.
        var first = await Assert.ThrowsAsync<RedisConnectionException>(() => client.ExecuteAsync(["PING"]));
        Assert.DoesNotContain("next connection attempt", first.Message, StringComparison.Ordinal);

        // Within the backoff (50 ms after the first failure) a call fails at once without trying.
        time.Advance(TimeSpan.FromMilliseconds(49));
        var second = await Assert.ThrowsAsync<RedisConnectionException>(() => client.ExecuteAsync(["PING"]));
        Assert.Contains("next connection attempt is in 1 ms", second.Message, StringComparison.Ordinal);

        // After it, the next call tries again (and fails again, doubling the backoff to 100 ms).
        time.Advance(TimeSpan.FromMilliseconds(1));
        var third = await Assert.ThrowsAsync<RedisConnectionException>(() => client.ExecuteAsync(["PING"]));
        Assert.DoesNotContain("next connection attempt", third.Message, StringComparison.Ordinal);
        var fourth = await Assert.ThrowsAsync<RedisConnectionException>(() => client.ExecuteAsync(["PING"]));
        Assert.Contains("next connection attempt is in 100 ms", fourth.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("localhost", "localhost", 6379)]
    [InlineData("redis.internal:6380,password=p=w,user=gw,ssl=true", "redis.internal", 6380)]
    [InlineData("[::1]:7000,protocol=3,connections=4,connectTimeout=250", "::1", 7000)]
    public void Parses_connection_strings(string text, string host, int port)
    {
        var endpoint = RedisEndpoint.Parse(text);
        Assert.Equal(host, endpoint.Host);
        Assert.Equal(port, endpoint.Port);
    }

    [Theory]
    [InlineData("", "starts with host:port")]
    [InlineData("host:0", "no valid port")]
    [InlineData("host:6379,ssl=maybe", "true or false")]
    [InlineData("host:6379,database=2", "Unknown Redis connection setting 'database'")]
    public void Explains_bad_connection_strings(string text, string message)
    {
        var error = Assert.Throws<FormatException>(() => RedisEndpoint.Parse(text));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [RedisFact]
    public async Task Resp3_through_hello_3_works_for_the_store_and_maps()
    {
        await using var store = TestStores.Create(_fixture.Server, settings: "protocol=3");
        var op = new[] { new CounterOperation { Key = "resp3|x", Algorithm = LimitAlgorithm.Gcra, Mode = CounterMode.Acquire, Permits = 2, PeriodTicks = TimeSpan.TicksPerSecond, Burst = 2, Cost = 1 } };
        var result = new CounterResult[1];
        await store.ApplyAsync(op, result, TestStores.Now);
        Assert.True(result[0].Allowed);
        Assert.Equal(1, result[0].Remaining);

        var key = "h:" + Guid.NewGuid().ToString("N");
        await store.Client.ExecuteAsync(["HSET", key, "a", 1L]);
        var map = await store.Client.ExecuteAsync(["HGETALL", key]);
        Assert.Equal("[a, 1]", map.ToString());
    }

    /// <summary>A clock that moves only when told (timestamps in ticks).</summary>
    private sealed class ManualTime : TimeProvider
    {
        private long _ticks = TimeSpan.TicksPerDay;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Read(ref _ticks);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }
}
