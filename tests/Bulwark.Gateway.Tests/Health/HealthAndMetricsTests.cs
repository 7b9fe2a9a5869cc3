using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Bulwark.Gateway.Health;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Gateway.Tests.Health;

/// <summary><c>/.bulwark/health</c>, <c>/.bulwark/ready</c> and <c>/.bulwark/metrics</c>.</summary>
public sealed partial class HealthAndMetricsTests
{
    [Fact]
    public async Task Health_is_200_and_ready_reports_each_check()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var gateway = await TestGateway.StartAsync(TestGateway.Config(upstream.Address));
        using var client = gateway.Client();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/.bulwark/health", UriKind.Relative))).StatusCode);
        var ready = await client.GetAsync(new Uri("/.bulwark/ready", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        using var json = JsonDocument.Parse(await ready.Content.ReadAsStringAsync());
        Assert.True(json.RootElement.GetProperty("checks").GetProperty("store").GetProperty("ok").GetBoolean());
        Assert.True(json.RootElement.GetProperty("checks").GetProperty("cluster:up").GetProperty("ok").GetBoolean());
        Assert.Equal(0, upstream.Hits); // gateway endpoints are never proxied
    }

    [Fact]
    public async Task Ready_is_503_until_the_host_has_started_every_listener()
    {
        await using var upstream = await TestUpstream.StartAsync();
        var loaded = Bulwark.Core.Policy.BulwarkConfigLoader.LoadJson(TestGateway.Config(upstream.Address));
        await using var app = GatewayHost.Build(new GatewaySettings { Options = loaded.Options!, Urls = "http://127.0.0.1:0" });
        var health = app.Services.GetRequiredService<HealthEndpoints>();

        var before = await ReadyAsync(health);
        Assert.Equal(503, before.Status);
        Assert.False(before.Body.RootElement.GetProperty("checks").GetProperty("listeners").GetProperty("ok").GetBoolean());

        await app.StartAsync();
        var after = await ReadyAsync(health);
        Assert.Equal(200, after.Status);
        Assert.Equal("all bound", after.Body.RootElement.GetProperty("checks").GetProperty("listeners").GetProperty("detail").GetString());
        await app.StopAsync();
    }

    private static async Task<(int Status, JsonDocument Body)> ReadyAsync(HealthEndpoints health)
    {
        var context = new Microsoft.AspNetCore.Http.DefaultHttpContext();
        context.Response.Body = new MemoryStream();
        await health.ReadyAsync(context);
        context.Response.Body.Position = 0;
        return (context.Response.StatusCode, await JsonDocument.ParseAsync(context.Response.Body));
    }

    [Fact]
    public async Task Ready_is_503_while_redis_is_unreachable()
    {
        var port = TestGateway.FreePort();
        await using var gateway = await TestGateway.StartAsync($$"""{ "Bulwark": { "State": { "Store": "redis", "Redis": { "Connection": "127.0.0.1:{{port}},connectTimeout=200" } } } }""");
        using var client = gateway.Client();
        var ready = await client.GetAsync(new Uri("/.bulwark/ready", UriKind.Relative));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        using var json = JsonDocument.Parse(await ready.Content.ReadAsStringAsync());
        Assert.False(json.RootElement.GetProperty("checks").GetProperty("store").GetProperty("ok").GetBoolean());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/.bulwark/health", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task Metrics_are_prometheus_text_with_decisions_and_proxy_outcomes()
    {
        await using var upstream = await TestUpstream.StartAsync();
        var policies = """
            , "Routes": [ { "Name": "all", "Path": "/**", "Policy": "p" } ],
            "Policies": { "p": { "Limits": [ { "Name": "p-ip", "Key": "ip", "Rate": "2/min" } ] } }
            """;
        await using var gateway = await TestGateway.StartAsync(TestGateway.Config(upstream.Address, policies: policies));
        using var client = gateway.Client();
        client.DefaultRequestHeaders.UserAgent.ParseAdd("test/1.0");
        for (var i = 0; i < 3; i++)
        {
            await client.GetAsync(new Uri("/status/200", UriKind.Relative));
        }

        var response = await client.GetAsync(new Uri("/.bulwark/metrics", UriKind.Relative));
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("# TYPE bulwark_decisions_total counter", text, StringComparison.Ordinal);
        Assert.Matches(SampleLine("bulwark_decisions_total", "bulwark_action=\"allow\"", "2"), text);
        Assert.Matches(SampleLine("bulwark_decisions_total", "bulwark_action=\"block\"", "1"), text);
        Assert.Matches(SampleLine("bulwark_gateway_requests_total", "bulwark_outcome=\"proxied\"", "2"), text);
        Assert.Contains("# TYPE bulwark_decision_duration_seconds histogram", text, StringComparison.Ordinal);
        Assert.Matches(new Regex("bulwark_decision_duration_seconds_bucket\\{[^}]*le=\"\\+Inf\"\\} 3\n"), text);
        Assert.Matches(new Regex("bulwark_gateway_inflight\\{bulwark_cluster=\"up\"\\} 0\n"), text);

        // Every sample line parses: name{labels} value.
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l[0] != '#'))
        {
            Assert.Matches(SampleShape(), line);
        }
    }

    private static Regex SampleLine(string name, string label, string value) =>
        new($"{name}\\{{[^}}]*{Regex.Escape(label)}[^}}]*\\}} {value}\n");

    [GeneratedRegex("^[a-zA-Z_:][a-zA-Z0-9_:]*(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\]|\\\\.)*\",?)*\\})? [-+0-9.eE]+(Inf)?$")]
    private static partial Regex SampleShape();
}
