using System.Net;
using Bulwark.Core.Intel;
using Bulwark.Core.Policy;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Bulwark.AspNetCore.Tests;

/// <summary>With <c>IpIntel:Database</c> configured, the middleware's engine looks addresses up and limits by network kind.</summary>
public sealed class IpIntelWiringTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("bulwark-ipintel-").FullName;

    [Fact]
    public async Task Hosting_addresses_get_the_hosting_tier_rate()
    {
        var list = Path.Combine(_directory, "hosting.txt");
        await File.WriteAllTextAsync(list, "# test hosting network\n203.0.113.0/24\n");
        var database = Path.Combine(_directory, "ipintel.db");
        new IpIntelDatabaseBuilder().AddCidrList(list, NetworkKind.Hosting).BuildToFile(database, new DateTimeOffset(2026, 11, 22, 0, 0, 0, TimeSpan.Zero));

        var loaded = BulwarkConfigLoader.LoadJson($$"""
            { "Bulwark": { "IpIntel": { "Database": {{System.Text.Json.JsonSerializer.Serialize(database)}} },
              "Routes": [ { "Path": "/api/**", "Policy": "p" } ],
              "Policies": { "p": { "Consumer": true, "Limits": [ { "Name": "ip", "Key": "ip", "Rate": "100/min", "Tiers": [ { "When": "hosting", "Rate": "2/min" } ] } ] } } } }
            """);
        Assert.True(loaded.Options is not null, string.Join("\n", loaded.Errors));
        using var host = new HostBuilder()
            .ConfigureWebHost(web => web
                .UseTestServer()
                .ConfigureServices(s => s.AddRouting().AddBulwark(o => o.Options = loaded.Options))
                .Configure(app => app
                    .Use((context, next) =>
                    {
                        context.Connection.RemoteIpAddress = IPAddress.Parse(context.Request.Headers["X-Test-Peer"].ToString());
                        return next(context);
                    })
                    .UseRouting()
                    .UseBulwark()
                    .UseEndpoints(e => e.MapGet("/api/x", () => "x"))))
            .Build();
        await host.StartAsync();
        var client = host.GetTestClient();

        async Task<HttpResponseMessage> Get(string peer)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/x");
            request.Headers.Add("X-Test-Peer", peer);
            request.Headers.UserAgent.ParseAdd("tests/1.0");
            return await client.SendAsync(request);
        }

        var hosting = await Get("203.0.113.9");
        Assert.Contains("\"ip\";q=2;w=60", hosting.Headers.GetValues("RateLimit-Policy").Single(), StringComparison.Ordinal);
        await Get("203.0.113.9");
        Assert.Equal(HttpStatusCode.TooManyRequests, (await Get("203.0.113.9")).StatusCode);

        var residential = await Get("198.51.100.9");
        Assert.Contains("\"ip\";q=100;w=60", residential.Headers.GetValues("RateLimit-Policy").Single(), StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
