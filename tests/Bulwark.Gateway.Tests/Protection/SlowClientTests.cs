using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Bulwark.Gateway.Tests.Protection;

/// <summary>Kestrel's timeouts against slow clients, as <c>Gateway:Server</c> sets them.</summary>
public sealed class SlowClientTests
{
    [Fact]
    public async Task A_client_dribbling_its_headers_is_cut_off_at_the_headers_timeout()
    {
        await using var upstream = await TestUpstream.StartAsync();
        var json = TestGateway.Config(upstream.Address).Replace("\"Routes\": [", "\"Server\": { \"RequestHeadersTimeoutS\": 1 }, \"Routes\": [", StringComparison.Ordinal);
        await using var gateway = await TestGateway.StartAsync(json);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, gateway.Address.Port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes("GET /status/200 HTTP/1.1\r\nHost: x\r\n"));
        var started = System.Diagnostics.Stopwatch.StartNew();
        var answer = await ReadToEndAsync(stream, TimeSpan.FromSeconds(15));
        Assert.InRange(started.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(10));
        Assert.True(answer.Length == 0 || answer.StartsWith("HTTP/1.1 408", StringComparison.Ordinal), answer);
        Assert.Equal(0, upstream.Hits);
    }

    [Fact]
    public async Task A_body_slower_than_the_minimum_rate_is_cut_off()
    {
        await using var upstream = await TestUpstream.StartAsync();
        var json = TestGateway.Config(upstream.Address).Replace("\"Routes\": [", "\"Server\": { \"MinRequestBodyBytesPerSecond\": 1000, \"MinRequestBodyGraceS\": 2 }, \"Routes\": [", StringComparison.Ordinal);
        await using var gateway = await TestGateway.StartAsync(json);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, gateway.Address.Port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes("POST /count-body HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\nContent-Length: 100000\r\n\r\n"));
        var started = System.Diagnostics.Stopwatch.StartNew();
        var closed = false;
        try
        {
            // 10 bytes every 100 ms: 100 B/s against a minimum of 1000 B/s.
            while (started.Elapsed < TimeSpan.FromSeconds(15))
            {
                await stream.WriteAsync(new byte[10]);
                await Task.Delay(100);
            }
        }
        catch (IOException)
        {
            closed = true;
        }

        Assert.True(closed || !tcp.Connected, "the gateway kept a 100 B/s upload open for 15 s");
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(15));
    }

    private static async Task<string> ReadToEndAsync(NetworkStream stream, TimeSpan limit)
    {
        using var timeout = new CancellationTokenSource(limit);
        var buffer = new byte[4096];
        var text = new StringBuilder();
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, timeout.Token)) > 0)
            {
                text.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }
        }
        catch (IOException)
        {
            // reset: cut off
        }

        return text.ToString();
    }
}
