using System.Text.Json;
using Bulwark.Core.Intel;
using Bulwark.Core.Limits;
using Bulwark.Core.Policy;
using Bulwark.Gateway.Routing;
using Bulwark.Redis.Limits;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;

namespace Bulwark.Gateway.Health;

/// <summary>
/// <c>GET /.bulwark/health</c>: the process answers (liveness, always 200). <c>GET /.bulwark/ready</c>: 200 when the
/// host has started (every listener bound: Kestrel serves its first endpoint while it is still binding the next, so an
/// http probe could otherwise pass before the https port accepts), the counter store answers (a Redis <c>PING</c> within 1 s), the IP intelligence database is loaded when one is configured,
/// and every cluster has a destination; else 503 with the failing checks, so a load balancer takes the gateway out.
/// </summary>
internal sealed class HealthEndpoints(ICounterStore store, IIpIntelLookup ipIntel, BulwarkOptions options, GatewayRouteTable routes, IHostApplicationLifetime lifetime, TimeProvider time)
{
    public static Task HealthAsync(HttpContext context)
    {
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.WriteAsync("{\"status\":\"ok\"}");
    }

    public async Task ReadyAsync(HttpContext context)
    {
        var started = lifetime.ApplicationStarted.IsCancellationRequested;
        var checks = new List<(string Name, bool Ok, string Detail)> { ("listeners", started, started ? "all bound" : "starting") };
        if (store is RedisCounterStore redis)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1), time);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, context.RequestAborted);
                var reply = await redis.Client.ExecuteAsync(["PING"], linked.Token).ConfigureAwait(false);
                checks.Add(("store", reply.Text == "PONG", "redis " + (reply.Text ?? reply.Kind.ToString())));
            }
            catch (Exception exception) when (exception is OperationCanceledException or IOException or Bulwark.Redis.Protocol.RedisException)
            {
                checks.Add(("store", false, "redis: " + exception.Message));
            }
        }
        else
        {
            checks.Add(("store", true, "memory"));
        }

        if (options.IpIntel.Database is { } database)
        {
            var loaded = ipIntel is not IpIntelProvider provider || provider.IsLoaded;
            checks.Add(("ipintel", loaded, loaded ? database : "not loaded: " + ((ipIntel as IpIntelProvider)?.LastError?.Message ?? database)));
        }

        foreach (var cluster in routes.Clusters.Values)
        {
            checks.Add(("cluster:" + cluster.Name, cluster.HasDestinations, cluster.HasDestinations ? "has destinations" : "no destination yet"));
        }

        var ready = checks.TrueForAll(c => c.Ok);
        context.Response.StatusCode = ready ? 200 : 503;
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteString("status", ready ? "ready" : "not_ready");
            writer.WriteStartObject("checks");
            foreach (var (name, ok, detail) in checks)
            {
                writer.WriteStartObject(name);
                writer.WriteBoolean("ok", ok);
                writer.WriteString("detail", detail);
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        await context.Response.Body.WriteAsync(stream.ToArray(), context.RequestAborted).ConfigureAwait(false);
    }
}
