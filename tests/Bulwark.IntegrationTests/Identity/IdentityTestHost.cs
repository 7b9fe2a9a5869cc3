using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Bulwark.AspNetCore;
using Bulwark.AspNetCore.Identity;
using Bulwark.Core;
using Bulwark.Core.Audit;
using Bulwark.Core.Decisions;
using Bulwark.Core.Fingerprints;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Bulwark.IntegrationTests.Identity;

/// <summary>
/// A Kestrel host on a free loopback port, TLS with a fresh self-signed certificate, HTTP/1.1 and HTTP/2, the Bulwark
/// client-identity hooks, the Bulwark middleware with the default policy (samples/bulwark.json), and a recorder of every
/// decision and of each connection's fingerprints by client port. One change to the policy: no ban after repeated blocks
/// (<c>Behavior.Offenders.BlocksBeforeBan</c> 0). Every client here connects from 127.0.0.1, so the blocks of the tools
/// wearing a browser User-Agent would otherwise ban the address and with it the browsers that come after them.
/// </summary>
internal sealed class IdentityTestHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _config;

    private IdentityTestHost(WebApplication app, X509Certificate2 certificate, string config)
    {
        _app = app;
        Certificate = certificate;
        _config = config;
    }

    public X509Certificate2 Certificate { get; }

    public int Port { get; private set; }

    /// <summary>
    /// The URL clients use: by name, so they send SNI as they do on the Internet (a JA4 says <c>d</c> then; an address gives
    /// <c>i</c> and no SNI). <c>localhost</c> resolves to ::1 first for some clients; nothing listens there, they fall back to 127.0.0.1.
    /// </summary>
    public string BaseUrl => $"https://localhost:{Port}";

    /// <summary>Every decision with the request it was made for, in order.</summary>
    public ConcurrentQueue<(RequestContext Request, Decision Decision)> Decisions { get; } = new();

    /// <summary>The fingerprints of each TLS connection, by the client's source port (what tshark sees).</summary>
    public ConcurrentDictionary<int, TlsClientFingerprint?> ConnectionsByPort { get; } = new();

    /// <summary>The fingerprint errors of connections whose hello could not be read, by client port.</summary>
    public ConcurrentDictionary<int, string> ErrorsByPort { get; } = new();

    public static async Task<IdentityTestHost> StartAsync(HttpProtocols protocols = HttpProtocols.Http1AndHttp2)
    {
        var certificate = CreateCertificate();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        IdentityTestHost? host = null;
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            listen.Protocols = protocols;
            listen.UseHttps(https =>
            {
                https.ServerCertificate = certificate;
                https.UseBulwarkClientIdentity(listen);
            }).UseBulwarkClientIdentity();

            // Test-only: remember each connection's fingerprint by client port, for the tshark comparison.
            listen.Use(next => connection =>
            {
                var feature = connection.Features.Get<IBulwarkClientIdentityFeature>();
                if (connection.RemoteEndPoint is IPEndPoint remote && host is not null)
                {
                    host.ConnectionsByPort[remote.Port] = feature?.Tls;
                    if (feature?.TlsError is { } error)
                    {
                        host.ErrorsByPort[remote.Port] = error;
                    }
                }

                return next(connection);
            });
        }));
        var config = WriteConfig();
        var recorder = new Recorder();
        builder.Services.AddSingleton<IDecisionSink>(recorder);
        builder.Services.AddBulwark(setup =>
        {
            setup.ConfigFile = config;
            setup.WatchConfigFile = false;
        });
        var app = builder.Build();
        app.UseBulwark();
        app.MapGet("/api/products/{id}", (HttpContext context) => Results.Json(new
        {
            protocol = context.Request.Protocol,
            ja4 = context.Features.Get<IBulwarkClientIdentityFeature>()?.TlsFingerprints?.Ja4,
        }));
        host = new IdentityTestHost(app, certificate, config);
        recorder.Host = host;
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        host.Port = new Uri(address).Port;
        return host;
    }

    /// <summary>The decisions of requests whose query string contains <paramref name="marker"/>.</summary>
    public List<(RequestContext Request, Decision Decision)> DecisionsFor(string marker) =>
        Decisions.Where(d => d.Request.Query?.Contains(marker, StringComparison.Ordinal) == true).ToList();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Certificate.Dispose();
        File.Delete(_config);
    }

    /// <summary>samples/bulwark.json with offender bans off, in a temporary file.</summary>
    private static string WriteConfig()
    {
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "samples", "bulwark.json")))!;
        config["Bulwark"]!["Behavior"]!["Offenders"]!["BlocksBeforeBan"] = 0;
        var path = Path.Combine(Path.GetTempPath(), $"bulwark-identity-{Environment.ProcessId}-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, config.ToJsonString());
        return path;
    }

    private static X509Certificate2 CreateCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), null);
    }

    private sealed class Recorder : IDecisionSink
    {
        public IdentityTestHost? Host { get; set; }

        public void Record(Decision decision, RequestContext request, long? line = null, string? label = null) =>
            Host?.Decisions.Enqueue((request, decision));
    }
}
