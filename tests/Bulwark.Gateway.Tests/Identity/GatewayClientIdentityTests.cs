using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Bulwark.Core;
using Bulwark.Core.Pipeline;
using Bulwark.Core.Policy;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Bulwark.Gateway.Tests.Identity;

/// <summary>
/// Client identity on the gateway's <c>--urls</c> endpoints: JA3/JA4 on https connections, the wire header order of
/// HTTP/1.1 requests on http AND https, and a ClientHello hook that survives hostile hellos.
/// </summary>
public sealed class GatewayClientIdentityTests
{
    private const string Policies = """
        , "Routes": [ { "Name": "all", "Path": "/**", "Policy": "open" } ], "Policies": { "open": { } }
        """;

    // Kestrel's own header collection would list Host first and Accept before User-Agent.
    private const string Head = "X-Zeta: 1\r\nUser-Agent: probe/1\r\nAccept: */*\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    private static readonly string[] WireOrder = ["x-zeta", "user-agent", "accept", "host", "connection"];

    [Fact]
    public async Task Https_gets_fingerprints_and_both_schemes_keep_the_wire_header_order()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var gateway = await StartAsync(upstream.Address);

        // Plain HTTP/1.1.
        await RawRequestAsync(gateway.Http, tls: false, "/echo/plain");
        var plain = await gateway.WaitForAsync("/echo/plain");
        Assert.True(plain.Headers.InClientOrder);
        Assert.Equal(WireOrder, plain.Headers.AsSpan().ToArray().Select(h => h.Key));
        Assert.Null(plain.Tls);

        // HTTP/1.1 over TLS (ALPN http/1.1): the order is read from the decrypted bytes, the fingerprint from the hello.
        await RawRequestAsync(gateway.Https, tls: true, "/echo/tls");
        var tls = await gateway.WaitForAsync("/echo/tls");
        Assert.True(tls.Headers.InClientOrder);
        Assert.Equal(WireOrder, tls.Headers.AsSpan().ToArray().Select(h => h.Key));
        Assert.NotNull(tls.Tls);
        Assert.Matches("^t1[23]d[0-9]{4}h1_[0-9a-f]{12}_[0-9a-f]{12}$", tls.Tls.Ja4);
        Assert.Matches("^[0-9a-f]{32}$", tls.Tls.Ja3);

        // HTTP/2 over TLS: fingerprinted; header order is Kestrel's and says so.
        using var handler = new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true } };
        using var client = new HttpClient(handler) { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        using var response = await client.GetAsync(new Uri($"https://localhost:{gateway.Https.Port}/echo/h2"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var h2 = await gateway.WaitForAsync("/echo/h2");
        Assert.False(h2.Headers.InClientOrder);
        Assert.Matches("^t13d[0-9]{4}h2_", h2.Tls!.Ja4);
    }

    [Fact]
    public async Task Hostile_client_hellos_over_real_sockets_leave_the_gateway_serving()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var gateway = await StartAsync(upstream.Address);
        var outcomes = new ConcurrentQueue<string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "bulwark.tls.client_hellos")
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

        var random = new Random(3);
        byte[][] hostile =
        [
            // A handshake record whose ClientHello claims 16 MB and holds garbage.
            [0x16, 0x03, 0x01, 0x00, 0x40, 0x01, 0xFF, 0xFF, 0xFF, .. Bytes(random, 60)],
            // A ClientHello whose inner lengths run past everything.
            [0x16, 0x03, 0x01, 0x00, 0x30, 0x01, 0x00, 0x00, 0x2C, 0x03, 0x03, .. Bytes(random, 32), 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF],
            // A record header promising more than TLS allows, then a hang-up.
            [0x16, 0x03, 0x01, 0xFF, 0xFF, 0x01, 0x00],
            // Random bytes behind a handshake record header.
            [0x16, 0x03, 0x03, 0x01, 0x00, .. Bytes(random, 256)],
            // Not TLS at all.
            [.. Bytes(random, 512)],
        ];
        foreach (var bytes in hostile)
        {
            using var socket = new TcpClient();
            await socket.ConnectAsync(IPAddress.Loopback, gateway.Https.Port);
            var stream = socket.GetStream();
            await stream.WriteAsync(bytes);
            socket.Client.Shutdown(SocketShutdown.Send);

            // The server answers with an alert or closes; it never hangs on to the connection.
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var buffer = new byte[1024];
            try
            {
                while (await stream.ReadAsync(buffer, timeout.Token) > 0)
                {
                }
            }
            catch (IOException)
            {
                // Reset by the server: handled.
            }
        }

        // Still serving TLS and plain HTTP.
        await RawRequestAsync(gateway.Https, tls: true, "/echo/after");
        Assert.True((await gateway.WaitForAsync("/echo/after")).Tls is not null);
        await RawRequestAsync(gateway.Http, tls: false, "/echo/after-plain");
        await gateway.WaitForAsync("/echo/after-plain");

        // The well-framed but unreadable hellos reached the hook and were reported as values, not thrown.
        Assert.Contains("unreadable", outcomes);
    }

    private static byte[] Bytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }

    private static async Task RawRequestAsync(IPEndPoint endpoint, bool tls, string path)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(endpoint);
        Stream stream = client.GetStream();
        if (tls)
        {
            var ssl = new SslStream(stream, false, (_, _, _, _) => true);
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "localhost",
                ApplicationProtocols = [SslApplicationProtocol.Http11],
            });
            stream = ssl;
        }

        await using (stream)
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\n{Head}"));
            var response = await new StreamReader(stream).ReadToEndAsync();
            Assert.StartsWith("HTTP/1.1 200", response, StringComparison.Ordinal);
        }
    }

    private static async Task<Running> StartAsync(Uri upstream)
    {
        var loaded = BulwarkConfigLoader.LoadJson(TestGateway.Config(upstream, policies: Policies));
        Assert.True(loaded.Options is not null, string.Join("\n", loaded.Errors));
        var certificatePath = Path.Combine(Path.GetTempPath(), $"bulwark-gw-identity-{Guid.NewGuid():N}.pfx");
        var certificate = GatewayCertificates.LoadOrCreateSelfSigned(certificatePath, TimeProvider.System);
        File.Delete(certificatePath);
        var seen = new Recorder();
        var app = GatewayHost.Build(new GatewaySettings
        {
            Options = loaded.Options!,
            Urls = "http://127.0.0.1:0;https://127.0.0.1:0",
            Certificate = certificate,
            Logging = logging => logging.SetMinimumLevel(LogLevel.Warning),
            ConfigureServices = services => services.AddSingleton<IDetector>(seen),
        });
        await app.StartAsync();
        var addresses = GatewayHost.Addresses(app);
        return new Running(app, certificate, seen, Endpoint(addresses.Single(a => a.StartsWith("http://", StringComparison.Ordinal))),
            Endpoint(addresses.Single(a => a.StartsWith("https://", StringComparison.Ordinal))));
    }

    private static IPEndPoint Endpoint(string address) => new(IPAddress.Loopback, new Uri(address).Port);

    private sealed class Recorder : IDetector
    {
        public ConcurrentQueue<RequestContext> Requests { get; } = new();

        public void Detect(RequestContext request, EvaluationContext context) => Requests.Enqueue(request);
    }

    private sealed class Running(WebApplication app, X509Certificate2 certificate, Recorder recorder, IPEndPoint http, IPEndPoint https) : IAsyncDisposable
    {
        public IPEndPoint Http { get; } = http;

        public IPEndPoint Https { get; } = https;

        public async Task<RequestContext> WaitForAsync(string path)
        {
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (DateTime.UtcNow < deadline)
            {
                if (recorder.Requests.FirstOrDefault(r => r.Path == path) is { } request)
                {
                    return request;
                }

                await Task.Delay(20);
            }

            throw new TimeoutException("the gateway's engine never saw " + path);
        }

        public async ValueTask DisposeAsync()
        {
            await app.StopAsync();
            await app.DisposeAsync();
            certificate.Dispose();
        }
    }
}
