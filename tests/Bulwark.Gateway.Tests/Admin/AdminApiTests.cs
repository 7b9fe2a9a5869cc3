using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Bulwark.Gateway.Tests.Admin;

/// <summary>The minimal admin API: bearer tokens with roles, bans that take effect on the proxy at once.</summary>
public sealed class AdminApiTests
{
    private const string ViewerToken = "viewer-secret-token";
    private const string OperatorToken = "operator-secret-token";

    [Fact]
    public async Task Tokens_and_roles_guard_the_api_and_a_ban_blocks_the_next_request()
    {
        await using var upstream = await TestUpstream.StartAsync();
        var admin = $$"""
            "Admin": { "Tokens": [ { "Name": "dash", "Role": "viewer", "Sha256": "{{Hash(ViewerToken)}}" },
                                   { "Name": "ops", "Role": "operator", "Sha256": "{{Hash(OperatorToken)}}" } ] },
            """;
        var json = TestGateway.Config(upstream.Address, policies: """
            , "Routes": [ { "Name": "all", "Path": "/**", "Policy": "open" } ], "Policies": { "open": { } }
            """).Replace("\"Routes\": [ { \"PathPrefix\"", admin + " \"Routes\": [ { \"PathPrefix\"", StringComparison.Ordinal);
        await using var gateway = await TestGateway.StartAsync(json);
        using var client = gateway.Client();
        client.DefaultRequestHeaders.UserAgent.ParseAdd("test/1.0");

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync(new Uri("/.bulwark/admin/status", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Send(client, HttpMethod.Get, "/.bulwark/admin/status", "wrong")).StatusCode);
        var status = await Send(client, HttpMethod.Get, "/.bulwark/admin/status", ViewerToken);
        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        using (var body = JsonDocument.Parse(await status.Content.ReadAsStringAsync()))
        {
            Assert.Equal("up", body.RootElement.GetProperty("clusters")[0].GetProperty("name").GetString());
        }

        var ban = new { target = "ip", value = "127.0.0.1", ttl_s = 60, reason = "test" };
        Assert.Equal(HttpStatusCode.Forbidden, (await Send(client, HttpMethod.Post, "/.bulwark/admin/bans", ViewerToken, ban)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/status/200", UriKind.Relative))).StatusCode);
        var added = await Send(client, HttpMethod.Post, "/.bulwark/admin/bans", OperatorToken, ban);
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        Assert.Contains("\"expires_at\"", await added.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync(new Uri("/status/200", UriKind.Relative))).StatusCode);

        var list = await (await Send(client, HttpMethod.Get, "/.bulwark/admin/bans", ViewerToken)).Content.ReadAsStringAsync();
        Assert.Contains("\"value\":\"127.0.0.1\"", list, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NoContent, (await Send(client, HttpMethod.Delete, "/.bulwark/admin/bans?target=ip&value=127.0.0.1", OperatorToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/status/200", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task A_ban_blocks_the_client_on_paths_no_policy_covers_too()
    {
        await using var upstream = await TestUpstream.StartAsync();
        var admin = $$"""
            "Admin": { "Tokens": [ { "Name": "ops", "Role": "operator", "Sha256": "{{Hash(OperatorToken)}}" } ] },
            """;
        var json = TestGateway.Config(upstream.Address, policies: """
            , "Routes": [ { "Name": "api", "Path": "/api/**", "Policy": "open" } ], "Policies": { "open": { } }
            """).Replace("\"Routes\": [ { \"PathPrefix\"", admin + " \"Routes\": [ { \"PathPrefix\"", StringComparison.Ordinal);
        await using var gateway = await TestGateway.StartAsync(json);
        using var client = gateway.Client();
        client.DefaultRequestHeaders.UserAgent.ParseAdd("test/1.0");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/status/200", UriKind.Relative))).StatusCode);

        var ban = new { target = "ip", value = "127.0.0.1", ttl_s = 60, reason = "test" };
        Assert.Equal(HttpStatusCode.Created, (await Send(client, HttpMethod.Post, "/.bulwark/admin/bans", OperatorToken, ban)).StatusCode);
        var refused = await client.GetAsync(new Uri("/status/200", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("banned", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.NotNull(refused.Headers.RetryAfter);

        // The admin API stays reachable to the banned operator, and lifting the ban opens the path again.
        Assert.Equal(HttpStatusCode.NoContent, (await Send(client, HttpMethod.Delete, "/.bulwark/admin/bans?target=ip&value=127.0.0.1", OperatorToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/status/200", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task Without_tokens_the_admin_api_is_off()
    {
        await using var gateway = await TestGateway.StartAsync("""{ "Bulwark": { } }""");
        using var client = gateway.Client();
        Assert.Equal(HttpStatusCode.NotFound, (await Send(client, HttpMethod.Get, "/.bulwark/admin/status", "anything")).StatusCode);
    }

    private static Task<HttpResponseMessage> Send(HttpClient client, HttpMethod method, string path, string token, object? body = null)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return client.SendAsync(request);
    }

    private static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
