using System.Net;
using System.Text.Json;

namespace Bulwark.Gateway.Tests.Decisions;

/// <summary><c>GET /.bulwark/decide</c> as nginx and Caddy call it (CONTRACTS.md §4).</summary>
public sealed class DecisionEndpointTests
{
    internal const string Policies = """
        , "Lists": { "Deny": { "Cidrs": [ "198.51.100.0/24" ] } },
        "Routes": [ { "Name": "api", "Path": "/api/**", "Policy": "api" } ],
        "Policies": { "api": { "Limits": [ { "Name": "api-ip", "Key": "ip", "Rate": "3/min" } ] } }
        """;

    [Fact]
    public async Task Allows_with_204_and_rate_limit_headers_then_limits_with_429()
    {
        await using var gateway = await TestGateway.StartAsync(Config());
        using var client = gateway.Client();
        for (var i = 0; i < 3; i++)
        {
            var allowed = await client.SendAsync(Decide("GET", "/api/items?page=" + i));
            Assert.Equal(HttpStatusCode.NoContent, allowed.StatusCode);
            Assert.Equal("\"api-ip\";q=3;w=60", allowed.Headers.GetValues("RateLimit-Policy").Single());
            Assert.Equal($"\"api-ip\";r={2 - i};", allowed.Headers.GetValues("RateLimit").Single()[..$"\"api-ip\";r={2 - i};".Length]);
        }

        var limited = await client.SendAsync(Decide("GET", "/api/items"));
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.True(int.Parse(limited.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) >= 1);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(await limited.Content.ReadAsStringAsync());
        Assert.Equal("rate_limited", body.RootElement.GetProperty("reason").GetString());

        // A path no policy covers is allowed without headers.
        var uncovered = await client.SendAsync(Decide("GET", "/static/app.js"));
        Assert.Equal(HttpStatusCode.NoContent, uncovered.StatusCode);
        Assert.False(uncovered.Headers.Contains("RateLimit"));
    }

    [Fact]
    public async Task The_client_address_comes_from_forwarding_headers_only_when_the_caller_is_trusted()
    {
        // Untrusted caller: X-Forwarded-For naming a denied network is ignored; the socket address (127.0.0.1) counts.
        await using (var untrusted = await TestGateway.StartAsync(Config()))
        {
            using var client = untrusted.Client();
            var request = Decide("GET", "/api/items");
            request.Headers.TryAddWithoutValidation("X-Forwarded-For", "198.51.100.7");
            Assert.Equal(HttpStatusCode.NoContent, (await client.SendAsync(request)).StatusCode);
        }

        await using var trusted = await TestGateway.StartAsync(Config(trusted: true));
        using var proxy = trusted.Client();
        var denied = Decide("GET", "/api/items");
        denied.Headers.TryAddWithoutValidation("X-Forwarded-For", "198.51.100.7");
        Assert.Equal(HttpStatusCode.Forbidden, (await proxy.SendAsync(denied)).StatusCode);

        var realIp = Decide("GET", "/api/items");
        realIp.Headers.TryAddWithoutValidation("X-Real-IP", "198.51.100.8");
        Assert.Equal(HttpStatusCode.Forbidden, (await proxy.SendAsync(realIp)).StatusCode);

        // Caddy's and Traefik's header names.
        var caddy = new HttpRequestMessage(HttpMethod.Get, "/.bulwark/decide");
        caddy.Headers.TryAddWithoutValidation("X-Forwarded-Method", "POST");
        caddy.Headers.TryAddWithoutValidation("X-Forwarded-Uri", "/api/orders?x=1");
        caddy.Headers.TryAddWithoutValidation("X-Forwarded-For", "203.0.113.50");
        var allowed = await proxy.SendAsync(caddy);
        Assert.Equal(HttpStatusCode.NoContent, allowed.StatusCode);
        Assert.StartsWith("\"api-ip\";r=2;", allowed.Headers.GetValues("RateLimit").Single(), StringComparison.Ordinal); // its own address, its own count
    }

    internal static string Config(bool trusted = false) => $$"""
        { "Bulwark": {
            "TrustedProxies": [ {{(trusted ? "\"127.0.0.0/8\"" : "")}} ]
            {{Policies}}
        } }
        """;

    private static HttpRequestMessage Decide(string method, string uri)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/.bulwark/decide");
        request.Headers.TryAddWithoutValidation("X-Original-Method", method);
        request.Headers.TryAddWithoutValidation("X-Original-URI", uri);
        request.Headers.UserAgent.ParseAdd("test/1.0");
        return request;
    }
}
