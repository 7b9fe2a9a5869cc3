using System.Net;
using System.Net.Sockets;
using System.Text;
using Bulwark.Core.Limits;
using Bulwark.Redis.Protocol;

namespace Bulwark.Redis.Tests.Protocol;

/// <summary>A server that turns out to be a Redis Cluster node: clear errors naming the problem, never a crash.</summary>
public sealed class ClusterReplyTests
{
    [Theory]
    [InlineData("MOVED 3999 127.0.0.1:7001", "key lives on another node")]
    [InlineData("ASK 3999 127.0.0.1:7001", "key lives on another node")]
    [InlineData("CLUSTERDOWN The cluster is down", "Cluster is down")]
    [InlineData("CROSSSLOT Keys in request don't hash to the same slot", "different Redis Cluster slots")]
    [InlineData("TRYAGAIN Multiple keys request during rehashing of slot", "resharding")]
    public void Cluster_errors_are_explained(string reply, string expected)
    {
        var e = RedisServerException.FromReply(reply);
        Assert.Contains(reply, e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Contains("docs/redis.md", e.Message, StringComparison.Ordinal);
        Assert.Equal("ERR unknown command", RedisServerException.FromReply("ERR unknown command").Message);
    }

    [Theory]
    [InlineData("MOVED 12182 127.0.0.1:7002")]
    [InlineData("CLUSTERDOWN Hash slot not served")]
    public async Task A_counter_call_to_a_cluster_node_fails_as_unavailable_with_the_reason(string error)
    {
        // A fake node answering every command with the cluster error, as a real cluster node does for keys it does not own.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var stop = new CancellationTokenSource();
        var serving = Task.Run(async () =>
        {
            using var socket = await listener.AcceptSocketAsync(stop.Token);
            var buffer = new byte[64 * 1024];
            var reply = Encoding.ASCII.GetBytes("-" + error + "\r\n");
            while (!stop.IsCancellationRequested)
            {
                var n = await socket.ReceiveAsync(buffer, SocketFlags.None, stop.Token);
                if (n == 0)
                {
                    return;
                }

                // One reply per command: each command is a RESP array, "*<count>\r\n" at the start of a line.
                var text = Encoding.ASCII.GetString(buffer, 0, n);
                var commands = (text.StartsWith('*') ? 1 : 0) + CountOf(text, "\r\n*");
                for (var i = 0; i < commands; i++)
                {
                    await socket.SendAsync(reply, SocketFlags.None, stop.Token);
                }
            }
        });

        await using var store = new Bulwark.Redis.Limits.RedisCounterStore(
            new Client.RedisClient(Client.RedisEndpoint.Parse($"127.0.0.1:{port}")),
            new Bulwark.Redis.Limits.RedisCounterStoreOptions { Budget = TimeSpan.FromSeconds(5) },
            ownsClient: true);
        var op = new[] { new CounterOperation { Key = "api|203.0.113.1", Algorithm = LimitAlgorithm.FixedWindow, Mode = CounterMode.Acquire, Permits = 5, PeriodTicks = TimeSpan.TicksPerMinute, Cost = 1 } };
        var e = await Assert.ThrowsAsync<CounterStoreUnavailableException>(async () => await store.ApplyAsync(op, new CounterResult[1], TestStores.Now));
        Assert.Contains(error, e.Message, StringComparison.Ordinal);
        Assert.Contains("Cluster", e.Message, StringComparison.Ordinal);
        Assert.Contains("standalone Redis", e.Message, StringComparison.Ordinal);
        await stop.CancelAsync();
        try
        {
            await serving;
        }
        catch (OperationCanceledException)
        {
            // stopped
        }
    }

    private static int CountOf(string text, string part)
    {
        var count = 0;
        for (var i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + 1, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
