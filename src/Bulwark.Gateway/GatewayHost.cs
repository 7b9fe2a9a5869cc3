using System.Net;
using Bulwark.AspNetCore;
using Bulwark.AspNetCore.Identity;
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
        var addresses = ParseUrls(settings.Urls);
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

                ConfigureHttps(https, kestrel.ApplicationServices?.GetService<ILoggerFactory>()?.CreateLogger("Bulwark.ClientIdentity"));
            });

            // Every URL becomes an explicit endpoint, so the header-order middleware can go AFTER UseHttps (Kestrel applies
            // endpoint defaults to URL endpoints before their TLS, where that middleware would only see ciphertext).
            foreach (var address in addresses)
            {
                Listen(kestrel, address);
            }
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

            // "Hosting failed to start" with the whole stack: the same exception leaves StartAsync, and the caller says
            // what failed in one line (bulwark serve: "cannot listen on …").
            builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);

            // With any level of this category on, hosting starts an Activity and a logging scope for every request; it
            // only logs request start/finish (Kestrel logs the application's unhandled exceptions under its own name).
            builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
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
        builder.Services.AddSingleton<ChallengePageEndpoint>();
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
            app.MapMethods(ChallengePageEndpoint.PagePath, ["GET", "HEAD"], (HttpContext context, ChallengePageEndpoint endpoint) => endpoint.InvokeAsync(context));
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
    /// THE place where every Kestrel listener of the gateway is configured (HTTP and HTTPS alike), before its TLS: what must
    /// see raw connection bytes goes here. What must see decrypted HTTP bytes (the client-identity header-order middleware)
    /// is added per endpoint after <c>UseHttps</c> by <see cref="Listen"/>.
    /// </summary>
    public static void ConfigureListen(ListenOptions listenOptions)
    {
        ArgumentNullException.ThrowIfNull(listenOptions);

        // Kestrel's default protocols (HTTP/1.1 and HTTP/2) stay: h2 is negotiated by ALPN on TLS listeners, cleartext
        // ones speak HTTP/1.1. Setting them explicitly would only add a startup warning for every cleartext listener.
    }

    /// <summary>
    /// The TLS settings of every https listener (after the certificate is set): the ClientHello hook that computes each
    /// connection's JA3/JA4 (<c>TlsClientHelloBytesCallback</c>, through <c>UseBulwarkClientIdentity</c>).
    /// </summary>
    public static void ConfigureHttps(HttpsConnectionAdapterOptions httpsOptions, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(httpsOptions);
        httpsOptions.UseBulwarkClientIdentity(logger);
    }

    /// <summary>
    /// Parses <c>--urls</c> (ASP.NET Core's syntax, <c>;</c>-separated): <c>http(s)://HOST:PORT</c> with an IP address,
    /// <c>localhost</c>, <c>*</c>/<c>+</c>/another name (all interfaces, as Kestrel does), or <c>http://unix:/PATH</c>.
    /// </summary>
    public static IReadOnlyList<BindingAddress> ParseUrls(string urls)
    {
        ArgumentNullException.ThrowIfNull(urls);
        var result = new List<BindingAddress>();
        foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var address = BindingAddress.Parse(url);
            if (!string.Equals(address.Scheme, "http", StringComparison.OrdinalIgnoreCase) && !string.Equals(address.Scheme, "https", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"Unsupported scheme in '{url}': use http:// or https://.");
            }

            result.Add(address);
        }

        return result;
    }

    // One endpoint: TLS (certificate and the ClientHello hook from ConfigureHttpsDefaults) on https, then the header-order
    // middleware on decrypted bytes for both schemes.
    private static void Listen(KestrelServerOptions kestrel, BindingAddress address)
    {
        var https = string.Equals(address.Scheme, "https", StringComparison.OrdinalIgnoreCase);
        void Configure(ListenOptions listen)
        {
            if (https)
            {
                listen.UseHttps();
            }

            listen.UseBulwarkClientIdentity();
        }

        var host = address.Host.Trim('[', ']');
        if (address.IsUnixPipe)
        {
            kestrel.ListenUnixSocket(address.UnixPipePath, Configure);
        }
        else if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            kestrel.ListenLocalhost(address.Port, Configure);
        }
        else if (IPAddress.TryParse(host, out var ip))
        {
            kestrel.Listen(ip, address.Port, Configure);
        }
        else
        {
            kestrel.ListenAnyIP(address.Port, Configure);
        }
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
