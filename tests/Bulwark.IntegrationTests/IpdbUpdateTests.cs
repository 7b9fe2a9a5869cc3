using System.Net;
using System.Net.Sockets;
using Bulwark.Cli.Commands;

namespace Bulwark.IntegrationTests;

/// <summary><c>bulwark ipdb update</c> against a local HTTP server.</summary>
public sealed class IpdbUpdateTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "bulwark-ipdb-update-" + Guid.NewGuid().ToString("N"));

    public IpdbUpdateTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    [Fact]
    public async Task Update_downloads_rebuilds_and_replaces_the_database_and_keeps_it_when_a_download_fails()
    {
        int port = FreePort();
        string prefix = $"http://127.0.0.1:{port}/";
        using var listener = new HttpListener();
        listener.Prefixes.Add(prefix);
        listener.Start();
        using var stop = new CancellationTokenSource();
        Task server = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                HttpListenerContext context;
                try
                {
                    context = await listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }

                string? body = context.Request.Url!.AbsolutePath switch
                {
                    "/vpn-ipv4.txt" => "46.0.0.0/16\n",
                    "/asn.csv" => "46.0.0.0,46.0.255.255,64500,\"VPN, Ltd\"\n",
                    _ => null,
                };
                context.Response.StatusCode = body is null ? 404 : 200;
                if (body is not null)
                {
                    byte[] bytes = System.Text.Encoding.UTF8.GetBytes(body);
                    await context.Response.OutputStream.WriteAsync(bytes);
                }

                context.Response.Close();
            }
        });

        string db = Path.Combine(_dir, "ipintel.db");
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = await IpdbCommand.UpdateAsync(db, [$"csv:{prefix}asn.csv", $"vpn:{prefix}vpn-ipv4.txt"], TimeProvider.System, stdout, stderr, CancellationToken.None);
        Assert.True(exit == 0, stderr.ToString());
        var lookup = new StringWriter();
        Assert.Equal(0, IpdbCommand.Lookup(db, ["46.0.1.1"], lookup, TextWriter.Null));
        Assert.Contains("\"asn\":64500", lookup.ToString(), StringComparison.Ordinal);
        Assert.Contains("\"vpn\"", lookup.ToString(), StringComparison.Ordinal);
        Assert.Contains("\"sources\":[\"asn.csv\",\"vpn-ipv4.txt\"]", lookup.ToString(), StringComparison.Ordinal);
        byte[] before = await File.ReadAllBytesAsync(db);

        stderr = new StringWriter();
        exit = await IpdbCommand.UpdateAsync(db, [$"csv:{prefix}asn.csv", $"tor:{prefix}missing.txt"], TimeProvider.System, TextWriter.Null, stderr, CancellationToken.None);
        Assert.Equal(1, exit);
        Assert.Contains("missing.txt", stderr.ToString(), StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllBytesAsync(db));

        Assert.Equal(2, await IpdbCommand.UpdateAsync(db, ["csv:ftp://example/x.csv"], TimeProvider.System, TextWriter.Null, TextWriter.Null, CancellationToken.None));
        Assert.Equal(2, await IpdbCommand.UpdateAsync(db, [], TimeProvider.System, TextWriter.Null, TextWriter.Null, CancellationToken.None));

        // Sources can come from the configuration instead of the command line.
        var config = Path.Combine(Path.GetDirectoryName(db)!, "bulwark.json");
        await File.WriteAllTextAsync(config, $$"""{ "Bulwark": { "IpIntel": { "Sources": [ "csv:{{prefix}}asn.csv", "vpn:{{prefix}}vpn-ipv4.txt" ] } } }""");
        Assert.Equal([$"csv:{prefix}asn.csv", $"vpn:{prefix}vpn-ipv4.txt"], IpdbCommand.ConfiguredSources(config));
        Assert.DoesNotContain(Bulwark.Core.Policy.BulwarkConfigLoader.LoadFile(config, includeEnvironment: false).Errors, e => e.Path.Contains("Sources", StringComparison.Ordinal));

        await stop.CancelAsync();
        listener.Stop();
        await server;
    }
}
