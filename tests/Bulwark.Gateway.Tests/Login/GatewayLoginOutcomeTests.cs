using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Bulwark.Gateway.Tests.Login;

/// <summary>
/// The login preset behind the gateway: a real upstream answers 200 either way and says what happened in the
/// <c>Bulwark-Login</c> response header; the gateway counts the failures, locks the account, and never lets the header
/// reach the client.
/// </summary>
public sealed class GatewayLoginOutcomeTests
{
    private const string Policies = """
        , "Routes": [ { "Methods": ["POST"], "Path": "/login", "Policy": "login" } ],
          "Policies": {
            "login": { "Login": { "AccountFailures": "100/h", "IpAttempts": "", "DelayAfterFailures": 0, "ChallengeAfterFailures": 0,
                                  "LockoutAfterFailures": 3, "LockoutMinutes": 60 } }
          }
        """;

    [Fact]
    public async Task Upstream_outcome_header_is_counted_and_stripped()
    {
        var reached = 0;
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        await using var upstream = builder.Build();
        upstream.MapPost("/login", async (HttpContext context) =>
        {
            Interlocked.Increment(ref reached);
            var body = await JsonSerializer.DeserializeAsync<JsonElement>(context.Request.Body);
            var ok = body.GetProperty("password").GetString() == "right";
            context.Response.Headers["Bulwark-Login"] = ok ? "success" : "failure";
            await context.Response.WriteAsJsonAsync(new { done = true });
        });
        await upstream.StartAsync();

        await using var gateway = await TestGateway.StartAsync(TestGateway.Config(new Uri(GatewayHost.Addresses(upstream).Single()), policies: Policies));
        using var client = new HttpClient { BaseAddress = gateway.Address };

        // Successes (status 200 and the header "success") lock nothing.
        for (var i = 0; i < 5; i++)
        {
            using var ok = await client.SendAsync(Attempt("bob@example.com", "right"));
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.False(ok.Headers.Contains("Bulwark-Login"));
        }

        // Failures with status 200: only the header says they failed.
        for (var i = 0; i < 3; i++)
        {
            using var failed = await client.SendAsync(Attempt("alice@example.com", "wrong"));
            Assert.Equal(HttpStatusCode.OK, failed.StatusCode);
            Assert.False(failed.Headers.Contains("Bulwark-Login"));
            Assert.Contains("done", await failed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var before = Volatile.Read(ref reached);
        using var locked = await client.SendAsync(Attempt("alice@example.com", "right"));
        Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);
        Assert.Equal(before, Volatile.Read(ref reached)); // refused at the gateway
        Assert.False(locked.Headers.Contains("Bulwark-Login"));

        using var other = await client.SendAsync(Attempt("bob@example.com", "right"));
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    private static HttpRequestMessage Attempt(string user, string password)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/login")
        {
            Content = new StringContent(JsonSerializer.Serialize(new { username = user, password }), Encoding.UTF8, "application/json"),
        };
        request.Headers.UserAgent.ParseAdd("tests/1.0");
        request.Headers.Accept.ParseAdd("application/json");
        return request;
    }
}
