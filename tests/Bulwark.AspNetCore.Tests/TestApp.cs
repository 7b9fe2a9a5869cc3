using System.Net;
using Bulwark.AspNetCore.Metadata;
using Bulwark.Core.Pipeline;
using Bulwark.Core.Policy;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Bulwark.AspNetCore.Tests;

/// <summary>A small application behind the middleware, on the ASP.NET Core test host.</summary>
internal static class TestApp
{
    public const string Policy = """
        {
          "Bulwark": {
            "TrustedProxies": ["10.0.0.0/8"],
            "Routes": [
              { "Methods": ["POST"], "Path": "/login", "Policy": "login" },
              { "Path": "/slow", "Policy": "inflight" },
              { "Path": "/watch", "Policy": "watch" },
              { "Path": "/risky", "Policy": "risky" },
              { "Path": "/stepup", "Policy": "stepup" },
              { "Path": "/api/**", "Policy": "api" }
            ],
            "Policies": {
              "login": { "Limits": [
                { "Name": "login-ip", "Key": "ip", "Rate": "10/min", "Burst": 3 },
                { "Name": "login-account", "Key": "account", "Rate": "100/min" } ] },
              "inflight": { "Limits": [ { "Name": "inflight", "Key": "ip", "Rate": "1/min", "Algorithm": "concurrency" } ] },
              "watch": { "Mode": "monitor", "Limits": [ { "Name": "watch-ip", "Key": "ip", "Rate": "1/min" } ] },
              "risky": { "Thresholds": { "Delay": 10, "Challenge": 60, "Block": 90 }, "Delay": { "BaseMs": 1500, "MaxMs": 1500 } },
              "stepup": { "StepUp": true, "Thresholds": { "Delay": 10, "Challenge": 60, "Block": 90 } },
              "api": { "Limits": [ { "Name": "api-ip", "Key": "ip", "Rate": "100/min" } ] },
              "strict": { "Limits": [ { "Name": "strict-ip", "Key": "ip", "Rate": "1/min" } ] }
            }
          }
        }
        """;

    public static BulwarkOptions Options()
    {
        var loaded = BulwarkConfigLoader.LoadJson(Policy);
        Assert.True(loaded.Options is not null, string.Join("\n", loaded.Errors));
        return loaded.Options!;
    }

    public static async Task<IHost> StartAsync(Action<BulwarkSetup>? setup = null, TimeProvider? timeProvider = null, Action<IServiceCollection>? services = null)
    {
        var host = new HostBuilder()
            .ConfigureWebHost(web => web
                .UseTestServer()
                .ConfigureServices(s =>
                {
                    if (timeProvider is not null)
                    {
                        s.AddSingleton(timeProvider);
                    }

                    s.AddRouting();
                    s.AddSingleton<SlowGate>();
                    s.AddBulwark(o =>
                    {
                        o.Options = Options();
                        setup?.Invoke(o);
                    });
                    services?.Invoke(s);
                })
                .Configure(app =>
                {
                    // Tests choose the socket peer address with a header, as a real connection would have it.
                    app.Use((context, next) =>
                    {
                        if (context.Request.Headers.TryGetValue("X-Test-Peer", out var peer))
                        {
                            context.Connection.RemoteIpAddress = IPAddress.Parse(peer.ToString());
                        }

                        return next(context);
                    });
                    app.UseRouting();
                    app.UseBulwark();
                    app.UseEndpoints(endpoints =>
                    {
                        endpoints.MapPost("/login", async (HttpRequest request) =>
                        {
                            using var reader = new StreamReader(request.Body);
                            return Results.Text(await reader.ReadToEndAsync(), "application/json");
                        });
                        endpoints.MapGet("/slow", async (SlowGate gate, CancellationToken cancellationToken) =>
                        {
                            gate.Entered.TrySetResult();
                            await Task.Delay(TimeSpan.FromSeconds(30), cancellationToken);
                            return "done";
                        });
                        endpoints.MapGet("/watch", () => "watched");
                        endpoints.MapGet("/risky", () => "risky");
                        endpoints.MapGet("/api/items", () => "items");
                        endpoints.MapGet("/api/exempt", () => "exempt").DisableBulwark();
                        endpoints.MapGet("/convention", () => "convention").RequireBulwarkPolicy("strict");
                        endpoints.MapGet("/attribute", [BulwarkPolicy("strict")] () => "attribute");
                        endpoints.MapGet("/open", () => "open");
                        endpoints.MapGet("/stepup", (HttpRequest request) => "step-up: " + request.Headers["Bulwark-Step-Up"]);
                    });
                }))
            .Build();
        await host.StartAsync();
        return host;
    }

    /// <summary>Tells a test when a request has reached the /slow endpoint (and so holds its concurrency lease).</summary>
    internal sealed class SlowGate
    {
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>Puts /stepup requests in the hosting tier with a signal that would delay them.</summary>
    internal sealed class HostingEnricher : IEnricher
    {
        public void Enrich(Core.RequestContext request, EvaluationContext context)
        {
            if (request.Path == "/stepup" && request.Headers["x-test-hosting"] == "1")
            {
                context.AddTier("hosting");
                context.AddSignal("hosting_network", 30, "test");
            }
        }
    }

    /// <summary>Fires a fixed signal on the /risky route only.</summary>
    internal sealed class RiskyRouteDetector : IDetector
    {
        public void Detect(Core.RequestContext request, EvaluationContext context)
        {
            if (request.Path == "/risky")
            {
                var weight = int.Parse(request.Headers["x-test-risk"] ?? "0", System.Globalization.CultureInfo.InvariantCulture);
                context.AddSignal("test_risk", weight, "test");
            }
        }
    }
}
