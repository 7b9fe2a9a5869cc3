using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Bulwark.AspNetCore;
using Bulwark.AspNetCore.Identity;
using Bulwark.Core.Fingerprints;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Bulwark.IntegrationTests.Identity;

/// <summary>
/// The TLS hook against hellos captured from a real client: a hello split over two TLS records is reported (logged and
/// counted as <c>split</c>), and <c>bulwark fingerprint</c> names the family of a captured curl hello.
/// </summary>
public sealed class KestrelHookTests
{
    [ToolFact("curl")]
    public async Task Bulwark_fingerprint_names_the_family_of_a_captured_curl_hello()
    {
        var record = await CaptureClientHelloAsync();

        var (exitCode, stdout, stderr) = await BulwarkCli.RunAsync("fingerprint", Convert.ToHexString(record));

        Assert.True(exitCode == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        Assert.Equal("curl", json.RootElement.GetProperty("family").GetString());
    }

    [ToolFact("curl")]
    public async Task A_hello_split_over_two_records_is_reported_and_counted_and_the_parser_reassembles_it()
    {
        var record = await CaptureClientHelloAsync();
        Assert.True(TlsClientFingerprinter.TryCompute(record, out var whole, out var error), error);

        // The same handshake message in two TLS records (RFC 8446 §5.1 allows a client to fragment it anywhere).
        var message = record.AsSpan(5).ToArray();
        var cut = 60;
        byte[] split = [.. Record(message.AsSpan(0, cut)), .. Record(message.AsSpan(cut))];
        Assert.True(TlsClientFingerprinter.TryCompute(split, out var reassembled, out error), error);
        Assert.Equal(whole.Ja4, reassembled.Ja4);
        Assert.Equal(2, reassembled.RecordCount);

        var outcomes = new ConcurrentQueue<string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Bulwark" && instrument.Name == "bulwark.tls.client_hellos")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "bulwark.outcome")
                {
                    outcomes.Enqueue((string)tag.Value!);
                }
            }
        });
        listener.Start();

        await using var host = await IdentityTestHost.StartAsync();
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, host.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(split);

        // Kestrel hands the callback the first record only; wait for the hook to report it. The server goes on with the
        // handshake (it answers or closes), which is not ours to judge.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!outcomes.Contains("split") && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        // The listener hears the whole process: other tests' TLS connections (the gateway's hook, in parallel) count "ok".
        // One outcome per connection, and only a split hello counts "split".
        Assert.Contains("split", outcomes);
    }

    [Fact]
    public async Task Plain_http_endpoints_from_urls_keep_the_wire_header_order()
    {
        var seen = new ConcurrentQueue<Bulwark.Core.RequestContext>();
        var builder = Microsoft.AspNetCore.Builder.WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.UseBulwarkClientIdentity());
        builder.Services.AddBulwark(setup =>
        {
            setup.ConfigFile = Path.Combine(AppContext.BaseDirectory, "samples", "bulwark.json");
            setup.WatchConfigFile = false;
        });
        builder.Services.AddSingleton<Bulwark.Core.Audit.IDecisionSink>(new Sink(seen));
        await using var app = builder.Build();
        app.UseBulwark();
        app.MapGet("/api/products/{id}", () => "ok");
        await app.StartAsync();
        var port = new Uri(app.Urls.First()).Port;

        // Two pipelined requests in one write; Kestrel's own collection would list Host first and Accept before User-Agent.
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        var stream = client.GetStream();
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(
            "GET /api/products/1 HTTP/1.1\r\nX-Zeta: 1\r\nUser-Agent: probe/1\r\nAccept: */*\r\nHost: localhost\r\n\r\n" +
            "GET /api/products/2 HTTP/1.1\r\nAccept-Language: de\r\nHost: localhost\r\nUser-Agent: probe/2\r\n\r\n"));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (seen.Count < 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        var requests = seen.ToArray();
        Assert.Equal(2, requests.Length);
        Assert.Equal(["x-zeta", "user-agent", "accept", "host"], requests[0].Headers.AsSpan().ToArray().Select(h => h.Key));
        Assert.Equal(["accept-language", "host", "user-agent"], requests[1].Headers.AsSpan().ToArray().Select(h => h.Key));
        Assert.All(requests, r => Assert.True(r.Headers.InClientOrder));
        Assert.All(requests, r => Assert.Null(r.Tls));
        await app.StopAsync();
    }

    private sealed class Sink(ConcurrentQueue<Bulwark.Core.RequestContext> seen) : Bulwark.Core.Audit.IDecisionSink
    {
        public void Record(Bulwark.Core.Decisions.Decision decision, Bulwark.Core.RequestContext request, long? line = null, string? label = null) => seen.Enqueue(request);
    }

    private static byte[] Record(ReadOnlySpan<byte> payload) => [0x16, 0x03, 0x01, (byte)(payload.Length >> 8), (byte)payload.Length, .. payload];

    /// <summary>curl's first TLS record, read by a bare TCP listener that never answers.</summary>
    private static async Task<byte[]> CaptureClientHelloAsync()
    {
        using var server = new TcpListener(IPAddress.Loopback, 0);
        server.Start();
        var port = ((IPEndPoint)server.LocalEndpoint).Port;
        var curl = RealClientCaptures.Exec("curl", ["-sk", "--max-time", "3", "--resolve", $"localhost:{port}:127.0.0.1", $"https://localhost:{port}/"]);
        using var connection = await server.AcceptTcpClientAsync();
        var stream = connection.GetStream();
        var header = new byte[5];
        await stream.ReadExactlyAsync(header);
        var body = new byte[(header[3] << 8) | header[4]];
        await stream.ReadExactlyAsync(body);
        connection.Close();
        try
        {
            await curl;
        }
        catch (InvalidOperationException)
        {
            // curl fails: nobody answered its hello. Expected.
        }

        return [.. header, .. body];
    }
}
