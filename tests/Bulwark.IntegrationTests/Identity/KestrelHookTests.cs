using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Bulwark.Core.Fingerprints;

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
        while (outcomes.IsEmpty && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.Equal(["split"], outcomes.ToArray());
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
