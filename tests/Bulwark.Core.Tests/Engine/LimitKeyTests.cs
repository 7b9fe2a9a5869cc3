using System.Net;
using Bulwark.Core.Decisions;
using static Bulwark.Core.Tests.Engine.EngineFixture;

namespace Bulwark.Core.Tests.Engine;

/// <summary>Each key dimension counts what it says, and a request lacking the dimension is not counted.</summary>
public class LimitKeyTests
{
    private static BulwarkEngine EngineWithKey(string key) => NewEngine($$"""
        { "Routes": [ { "Path": "/api/things/{id}", "Policy": "p" }, { "Path": "/api/**", "Policy": "p" } ],
          "Policies": { "p": { "Limits": [ { "Name": "k", "Key": "{{key}}", "Rate": "2/min" } ] } } }
        """);

    private static RequestContext With(RequestContext request, string? session = null, (string, string)[]? headers = null) => new()
    {
        Timestamp = request.Timestamp,
        ClientIp = request.ClientIp,
        Method = request.Method,
        Path = request.Path,
        Session = session,
        Headers = headers is null ? request.Headers : HeaderList.From(headers),
        Tls = request.Tls,
    };

    private static async Task<bool> Third(BulwarkEngine engine, Func<int, RequestContext> request)
    {
        await engine.Decide(request(0));
        await engine.Decide(request(1));
        return (await engine.Decide(request(2))).Action == DecisionAction.Block;
    }

    [Fact]
    public async Task Subnet_groups_ipv4_by_24_and_ipv6_by_48()
    {
        var engine = EngineWithKey("subnet");
        Assert.True(await Third(engine, i => Request(ip: $"198.51.100.{i + 1}")));
        Assert.True(await Third(engine, i => Request(ip: $"2001:db8:7:{i + 1}::1")));
        Assert.False(await Third(EngineWithKey("subnet"), i => Request(ip: $"198.51.{100 + i}.1")));
    }

    [Fact]
    public async Task Subnet_prefix_can_be_chosen()
    {
        Assert.True(await Third(EngineWithKey("subnet:16"), i => Request(ip: $"198.51.{100 + i}.1")));
    }

    [Fact]
    public async Task Route_counts_the_pattern_not_the_concrete_path()
    {
        Assert.True(await Third(EngineWithKey("route"), i => Request(path: $"/api/things/{i}", ip: $"198.51.100.{i + 1}")));
        // Two different patterns: /api/things/{id} once, /api/** twice; neither reaches three.
        Assert.False(await Third(EngineWithKey("route"), i => Request(path: i == 0 ? "/api/things/1" : $"/api/misc/{i}", ip: $"198.51.100.{i + 1}")));
    }

    [Fact]
    public async Task Header_session_and_fingerprint_keys_follow_their_values()
    {
        Assert.True(await Third(EngineWithKey("header:X-Device-Id"), i => With(Request(ip: $"198.51.100.{i + 1}"), headers: [("x-device-id", "dev-1")])));
        Assert.False(await Third(EngineWithKey("header:X-Device-Id"), i => With(Request(), headers: [("x-device-id", $"dev-{i}")])));
        Assert.True(await Third(EngineWithKey("session"), i => With(Request(ip: $"198.51.100.{i + 1}"), session: "s-1")));
        Assert.True(await Third(EngineWithKey("fingerprint"), i => Request(ip: $"198.51.100.{i + 1}", ja4: "t13d1516h2_8daaf6152771_e5627efa2ab1")));
    }

    [Fact]
    public async Task A_request_without_the_keyed_value_is_not_counted()
    {
        foreach (var key in new[] { "session", "api_key", "account", "fingerprint", "header:x-device-id", "body:phone", "asn" })
        {
            var engine = EngineWithKey(key);
            for (var i = 0; i < 5; i++)
            {
                var decision = await engine.Decide(Request());
                Assert.Equal(DecisionAction.Allow, decision.Action);
                Assert.Empty(decision.Limits);
            }
        }
    }

    [Fact]
    public async Task Global_key_counts_everyone_together()
    {
        Assert.True(await Third(EngineWithKey("global"), i => Request(ip: $"203.0.{i}.9")));
    }

    [Fact]
    public async Task Very_long_client_values_are_hashed_into_a_bounded_key()
    {
        var engine = EngineWithKey("header:x-token");
        var longValue = new string('a', 10_000);
        Assert.True(await Third(engine, i => With(Request(ip: $"198.51.100.{i + 1}"), headers: [("x-token", longValue)])));
        Assert.False(await Third(EngineWithKey("header:x-token"), i => With(Request(), headers: [("x-token", longValue + i)])));
    }
}
