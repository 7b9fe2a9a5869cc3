using System.Net;
using System.Net.Sockets;
using Bulwark.Core.Policy;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace Bulwark.Gateway.Tests;

/// <summary>A real gateway (Kestrel on a free loopback port) built from a JSON configuration.</summary>
public sealed class TestGateway : IAsyncDisposable
{
    private TestGateway(WebApplication app, Uri address, BulwarkOptions options)
    {
        App = app;
        Address = address;
        Options = options;
    }

    public WebApplication App { get; }

    public Uri Address { get; }

    public BulwarkOptions Options { get; }

    /// <summary>Starts a gateway whose configuration is <paramref name="json"/> (a whole file with the "Bulwark" object).</summary>
    public static async Task<TestGateway> StartAsync(string json, string urls = "http://127.0.0.1:0", System.Security.Cryptography.X509Certificates.X509Certificate2? certificate = null)
    {
        var loaded = BulwarkConfigLoader.LoadJson(json);
        Assert.True(loaded.Options is not null, string.Join("\n", loaded.Errors));
        var app = GatewayHost.Build(new GatewaySettings
        {
            Options = loaded.Options!,
            Urls = urls,
            Certificate = certificate,
            Logging = logging => logging.SetMinimumLevel(LogLevel.Warning),
        });
        await app.StartAsync();
        return new TestGateway(app, new Uri(GatewayHost.Addresses(app).First()), loaded.Options!);
    }

    /// <summary>
    /// Runs <paramref name="test"/> against a gateway listening on https with a fresh self-signed certificate, given a
    /// handler that trusts exactly that certificate.
    /// </summary>
    public static async Task WithTlsAsync(string json, Func<TestGateway, SocketsHttpHandler, Task> test)
    {
        var path = Path.Combine(Path.GetTempPath(), $"bulwark-test-cert-{Guid.NewGuid():N}.pfx");
        try
        {
            using var certificate = GatewayCertificates.LoadOrCreateSelfSigned(path, TimeProvider.System);
            await using var gateway = await StartAsync(json, "https://127.0.0.1:0", certificate);
            using var handler = new SocketsHttpHandler { UseProxy = false };
            handler.SslOptions.RemoteCertificateValidationCallback = (_, cert, _, _) => cert is not null && cert.GetCertHashString() == certificate.GetCertHashString();
            await test(gateway, handler);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>A configuration with one cluster "up" at <paramref name="destination"/>, everything routed to it.</summary>
    public static string Config(Uri destination, string cluster = "", string policies = "", string extra = "") => $$"""
        { "Bulwark": {
            {{extra}}
            "Gateway": {
              "Clusters": { "up": { "Destinations": [ "{{destination.ToString().TrimEnd('/')}}" ] {{cluster}} } },
              "Routes": [ { "PathPrefix": "/", "Cluster": "up" } ]
            }
            {{policies}}
        } }
        """;

    /// <summary>A loopback port nothing listens on.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public HttpClient Client(Version? version = null) => new(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false })
    {
        BaseAddress = Address,
        DefaultRequestVersion = version ?? HttpVersion.Version11,
        Timeout = TimeSpan.FromSeconds(60),
    };

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
