using System.Net;
using System.Security.Cryptography.X509Certificates;
using Bulwark.Cli.Demo;
using Microsoft.Extensions.Logging;

namespace Bulwark.IntegrationTests;

/// <summary>The demo as the gateway: plain HTTP and HTTPS with the self-signed demo certificate, gateway endpoints.</summary>
public sealed class DemoGatewayTests
{
    [Fact]
    public async Task The_demo_serves_http_and_https_with_its_self_signed_certificate()
    {
        var options = new ServeOptions { Urls = "http://127.0.0.1:0;https://127.0.0.1:0" };
        var loaded = DemoServer.LoadConfiguration(options);
        await using var app = DemoServer.Build(options, loaded.Options!, logging => logging.SetMinimumLevel(LogLevel.Warning));
        await app.StartAsync();
        var addresses = DemoServer.Addresses(app);
        var http = addresses.Single(a => a.StartsWith("http://", StringComparison.Ordinal));
        var https = addresses.Single(a => a.StartsWith("https://", StringComparison.Ordinal));
        Assert.True(File.Exists(DemoServer.DemoCertificatePath));
        using var certificate = X509CertificateLoader.LoadPkcs12FromFile(DemoServer.DemoCertificatePath, null);

        using var plain = new HttpClient { BaseAddress = new Uri(http) };
        Assert.Equal(HttpStatusCode.OK, (await plain.GetAsync(new Uri("/api/products/3", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await plain.GetAsync(new Uri("/.bulwark/ready", UriKind.Relative))).StatusCode);

        using var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, presented, _, _) => presented?.GetCertHashString() == certificate.GetCertHashString();
        using var tls = new HttpClient(handler) { BaseAddress = new Uri(https), DefaultRequestVersion = HttpVersion.Version20 };
        var response = await tls.GetAsync(new Uri("/api/products/4", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.Contains("\"catalogue-ip\"", response.Headers.GetValues("RateLimit-Policy").Single(), StringComparison.Ordinal);
        await app.StopAsync();
    }
}
