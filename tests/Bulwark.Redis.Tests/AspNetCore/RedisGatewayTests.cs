using System.Net;
using Bulwark.AspNetCore;
using Bulwark.Core.Limits;
using Bulwark.Core.Policy;
using Bulwark.Redis.Limits;
using Bulwark.Redis.Lists;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Bulwark.Redis.Tests.AspNetCore;

/// <summary><c>State:Store = "redis"</c> through AddBulwark: two gateway applications share one limit.</summary>
public sealed class RedisGatewayTests : IClassFixture<RedisServerFixture>
{
    private readonly RedisServerFixture _fixture;

    public RedisGatewayTests(RedisServerFixture fixture) => _fixture = fixture;

    [RedisFact]
    public async Task Two_gateway_apps_with_a_redis_store_share_one_limit()
    {
        var prefix = $"gw{Guid.NewGuid():N}:";
        var json = $$"""
            {
              "Bulwark": {
                "State": { "Store": "redis", "Redis": { "Connection": "{{_fixture.Server.Connection()}}", "KeyPrefix": "{{prefix}}", "BudgetMs": 2000 } },
                "Routes": [ { "Path": "/api/**", "Policy": "api" } ],
                "Policies": { "api": { "Limits": [ { "Name": "api-ip", "Key": "ip", "Rate": "5/min" } ] } }
              }
            }
            """;
        var loaded = BulwarkConfigLoader.LoadJson(json);
        Assert.True(loaded.Options is not null, string.Join("\n", loaded.Errors));
        using var a = await StartAsync(loaded.Options!);
        using var b = await StartAsync(loaded.Options!);
        Assert.IsType<RedisCounterStore>(a.Services.GetRequiredService<ICounterStore>());

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 20; i++)
        {
            var server = (i % 2 == 0 ? a : b).GetTestServer();
            var context = await server.SendAsync(c =>
            {
                c.Request.Path = "/api/items";
                c.Connection.RemoteIpAddress = IPAddress.Parse("203.0.113.50");
            });
            statuses.Add((HttpStatusCode)context.Response.StatusCode);
        }

        Assert.Equal(5, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(15, statuses.Count(s => s == HttpStatusCode.TooManyRequests));

        // A ban added through gateway A's shared bans applies on gateway B.
        await b.Services.GetRequiredService<RedisBanSync>().Synced.WaitAsync(TimeSpan.FromSeconds(10));
        await a.Services.GetRequiredService<RedisBanSync>().AddAsync(Core.Lists.BanTarget.Ip, "198.51.100.0/24", TimeSpan.FromMinutes(5), "shared ban");
        var banned = b.Services.GetRequiredService<Core.Lists.BanList>();
        for (var i = 0; i < 200 && banned.Count == 0; i++)
        {
            await Task.Delay(10);
        }

        var blocked = await b.GetTestServer().SendAsync(c =>
        {
            c.Request.Path = "/api/items";
            c.Connection.RemoteIpAddress = IPAddress.Parse("198.51.100.7");
        });
        Assert.Equal(StatusCodes.Status403Forbidden, blocked.Response.StatusCode);
    }

    [RedisFact]
    public async Task A_ban_the_engine_makes_on_gateway_a_is_enforced_by_gateway_b_within_a_second()
    {
        var prefix = $"gw{Guid.NewGuid():N}:";
        var json = $$"""
            {
              "Bulwark": {
                "State": { "Store": "redis", "Redis": { "Connection": "{{_fixture.Server.Connection()}}", "KeyPrefix": "{{prefix}}", "BudgetMs": 2000 } },
                "Routes": [ { "Path": "/api/**", "Policy": "api" } ],
                "Policies": { "api": { "Limits": [ { "Name": "api-ip", "Key": "ip", "Rate": "100/min" } ] } }
              }
            }
            """;
        var loaded = BulwarkConfigLoader.LoadJson(json);
        Assert.True(loaded.Options is not null, string.Join("\n", loaded.Errors));
        using var a = await StartAsync(loaded.Options!);
        using var b = await StartAsync(loaded.Options!);
        await Task.WhenAll(
            a.Services.GetRequiredService<RedisBanSync>().Synced,
            b.Services.GetRequiredService<RedisBanSync>().Synced).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(StatusCodes.Status200OK, (await SendAsync(b, "192.0.2.44")).Response.StatusCode);

        // Gateway A's engine bans the address itself (as a honeypot or lockout does), on its own ban list.
        var engineA = a.Services.GetRequiredService<Core.BulwarkEngine>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        engineA.Bans.Add(Core.Lists.BanTarget.Ip, "192.0.2.44", TimeSpan.FromMinutes(5), "honeypot", DateTimeOffset.UtcNow);
        var status = 0;
        while (clock.Elapsed < TimeSpan.FromSeconds(5) && (status = (await SendAsync(b, "192.0.2.44")).Response.StatusCode) != StatusCodes.Status403Forbidden)
        {
            await Task.Delay(10);
        }

        Assert.Equal(StatusCodes.Status403Forbidden, status);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"gateway B enforced the ban after {clock.Elapsed.TotalMilliseconds:0} ms");
        Assert.Equal(StatusCodes.Status200OK, (await SendAsync(b, "192.0.2.45")).Response.StatusCode);
    }

    [RedisFact]
    public async Task Login_failures_recorded_on_gateway_a_count_on_gateway_b()
    {
        var prefix = $"gw{Guid.NewGuid():N}:";
        var json = $$"""
            {
              "Bulwark": {
                "State": { "Store": "redis", "Redis": { "Connection": "{{_fixture.Server.Connection()}}", "KeyPrefix": "{{prefix}}", "BudgetMs": 2000 } },
                "Routes": [ { "Path": "/api/**", "Policy": "login" } ],
                "Policies": { "login": { "Limits": [ { "Name": "login-failures", "Key": "ip", "Rate": "3/hour", "Count": "failures", "FailureStatuses": ["401"] } ] } }
              }
            }
            """;
        var loaded = BulwarkConfigLoader.LoadJson(json);
        Assert.True(loaded.Options is not null, string.Join("\n", loaded.Errors));
        using var a = await StartAsync(loaded.Options!);
        using var b = await StartAsync(loaded.Options!);

        // Two failed logins on A and one on B (the endpoint answers 401 for /api/denied): the third failure in total.
        Assert.Equal(StatusCodes.Status401Unauthorized, (await SendAsync(a, "198.51.100.77", "/api/denied")).Response.StatusCode);
        Assert.Equal(StatusCodes.Status401Unauthorized, (await SendAsync(a, "198.51.100.77", "/api/denied")).Response.StatusCode);
        Assert.Equal(StatusCodes.Status200OK, (await SendAsync(b, "198.51.100.77")).Response.StatusCode); // a success costs nothing
        Assert.Equal(StatusCodes.Status401Unauthorized, (await SendAsync(b, "198.51.100.77", "/api/denied")).Response.StatusCode);

        // Failures are charged after the answer (feedback); give the last charge a moment to land.
        var status = 0;
        for (var i = 0; i < 100 && status != StatusCodes.Status429TooManyRequests; i++)
        {
            status = (await SendAsync(a, "198.51.100.77")).Response.StatusCode;
            await Task.Delay(status == StatusCodes.Status429TooManyRequests ? 0 : 20);
        }

        // Locked out on both gateways, though neither saw three failures itself; another address is not.
        Assert.Equal(StatusCodes.Status429TooManyRequests, status);
        Assert.Equal(StatusCodes.Status429TooManyRequests, (await SendAsync(b, "198.51.100.77")).Response.StatusCode);
        Assert.Equal(StatusCodes.Status200OK, (await SendAsync(b, "198.51.100.78")).Response.StatusCode);
    }

    private static Task<HttpContext> SendAsync(IHost host, string ip, string path = "/api/items") =>
        host.GetTestServer().SendAsync(c =>
        {
            c.Request.Path = path;
            c.Connection.RemoteIpAddress = IPAddress.Parse(ip);
        });

    [RedisFact]
    public void A_plain_service_provider_builds_and_disposes_the_redis_services()
    {
        var options = new BulwarkOptions
        {
            State = new StateOptions { Store = "redis", Redis = new RedisOptions { Connection = _fixture.Server.Connection(), BudgetMs = 2000 } },
        };
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddBulwark(o => o.Options = options);
        var provider = services.BuildServiceProvider();
        Assert.IsType<RedisCounterStore>(provider.GetRequiredService<ICounterStore>());
        provider.GetRequiredService<RedisBanSync>().Start();
        provider.Dispose();
    }

    private static async Task<IHost> StartAsync(BulwarkOptions options)
    {
        var host = new HostBuilder()
            .ConfigureWebHost(web => web
                .UseTestServer()
                .ConfigureServices(s =>
                {
                    s.AddRouting();
                    s.AddBulwark(o => o.Options = options);
                })
                .Configure(app =>
                {
                    app.UseRouting();
                    app.UseBulwark();
                    app.UseEndpoints(endpoints =>
                    {
                        endpoints.MapGet("/api/items", () => "items");
                        endpoints.MapGet("/api/denied", () => Results.Unauthorized());
                    });
                }))
            .Build();
        await host.StartAsync();
        return host;
    }
}
