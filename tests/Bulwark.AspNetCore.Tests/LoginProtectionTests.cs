using System.Net;
using System.Text;
using System.Text.Json;
using Bulwark.Core.Policy;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Bulwark.AspNetCore.Tests;

/// <summary>The login preset through the middleware: outcomes reported by status, header or API; lockouts that hide whether an account exists.</summary>
public sealed class LoginProtectionTests
{
    private const string Policy = """
        {
          "Bulwark": {
            "Routes": [ { "Methods": ["POST"], "Path": "/login/**", "Policy": "login" } ],
            "Policies": {
              "login": { "Login": { "AccountFailures": "100/h", "IpAttempts": "", "DelayAfterFailures": 0, "ChallengeAfterFailures": 0,
                                    "LockoutAfterFailures": 3, "LockoutMinutes": 60 } }
            }
          }
        }
        """;

    private static readonly DateTimeOffset T0 = new(2026, 11, 21, 10, 0, 0, TimeSpan.Zero);

    /// <summary>Accounts the application knows, and how often each login handler was reached per account.</summary>
    private sealed class Accounts
    {
        public Dictionary<string, string> Passwords { get; } = new(StringComparer.Ordinal) { ["alice@example.com"] = "correct horse" };

        public Dictionary<string, int> Reached { get; } = new(StringComparer.Ordinal);

        public bool Check(JsonElement body, out string user)
        {
            user = body.GetProperty("username").GetString()!;
            lock (Reached)
            {
                Reached[user] = Reached.GetValueOrDefault(user) + 1;
            }

            return Passwords.TryGetValue(user, out var password) && password == body.GetProperty("password").GetString();
        }
    }

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static async Task<(IHost Host, Accounts Accounts, ManualClock Clock)> StartAsync()
    {
        var accounts = new Accounts();
        var clock = new ManualClock(T0);
        var loaded = BulwarkConfigLoader.LoadJson(Policy);
        Assert.True(loaded.Options is not null, string.Join("\n", loaded.Errors));
        var host = new HostBuilder()
            .ConfigureWebHost(web => web
                .UseTestServer()
                .ConfigureServices(s =>
                {
                    s.AddSingleton<TimeProvider>(clock);
                    s.AddRouting();
                    s.AddBulwark(o => o.Options = loaded.Options!);
                })
                .Configure(app =>
                {
                    app.UseRouting();
                    app.UseBulwark();
                    app.UseEndpoints(endpoints =>
                    {
                        // The usual application: 401 for a wrong password and for an unknown account alike.
                        endpoints.MapPost("/login/status", (JsonElement body) =>
                            accounts.Check(body, out _) ? Results.Ok(new { token = "t" }) : Results.Unauthorized());

                        // An application that answers 200 either way and says what happened in the outcome header.
                        endpoints.MapPost("/login/header", (JsonElement body, HttpResponse response) =>
                        {
                            response.Headers["Bulwark-Login"] = accounts.Check(body, out _) ? "success" : "failure";
                            return Results.Ok(new { done = true });
                        });

                        // An in-process application that reports through the middleware's API and writes its body itself.
                        endpoints.MapPost("/login/api", async (HttpContext context) =>
                        {
                            var body = await JsonSerializer.DeserializeAsync<JsonElement>(context.Request.Body);
                            if (accounts.Check(body, out _))
                            {
                                Assert.True(context.ReportLoginSuccess());
                            }
                            else
                            {
                                Assert.True(context.ReportLoginFailure());
                            }

                            context.Response.StatusCode = 200;
                            await context.Response.WriteAsync("{\"done\":true}");
                        });
                        endpoints.MapPost("/elsewhere", (HttpContext context) => context.ReportLoginFailure() ? "reported" : "not covered");
                    });
                }))
            .Build();
        await host.StartAsync();
        return (host, accounts, clock);
    }

    private static HttpRequestMessage Attempt(string path, string user, string password)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent(JsonSerializer.Serialize(new { username = user, password }), Encoding.UTF8, "application/json"),
        };
        request.Headers.UserAgent.ParseAdd("tests/1.0");
        request.Headers.Accept.ParseAdd("application/json");
        return request;
    }

    [Fact]
    public async Task A_locked_unknown_account_gets_exactly_the_answer_of_a_locked_existing_one()
    {
        var (host, accounts, clock) = await StartAsync();
        using var _ = host;
        var client = host.GetTestClient();
        var answers = new Dictionary<string, List<(HttpStatusCode Status, string Headers, string Body)>>();
        foreach (var user in new[] { "alice@example.com", "nobody@example.com" })
        {
            clock.Now = T0;
            var list = answers[user] = [];
            for (var i = 0; i < 6; i++)
            {
                clock.Now = T0.AddSeconds(i);
                using var response = await client.SendAsync(Attempt("/login/status", user, "wrong"));
                list.Add((response.StatusCode, Headers(response), Normalize(await response.Content.ReadAsStringAsync())));
            }
        }

        // Three failures each, then three locked answers each — byte for byte the same once the decision id is blanked.
        Assert.Equal(answers["alice@example.com"], answers["nobody@example.com"]);
        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests],
            answers["nobody@example.com"].Select(a => a.Status));
        var locked = answers["nobody@example.com"][3];
        Assert.Contains("Retry-After: 3600", locked.Headers, StringComparison.Ordinal); // the lock began at the third failure's feedback, T0 + 2 s plus its latency
        Assert.Contains("\"reason\":\"login_locked\"", locked.Body, StringComparison.Ordinal);

        // The timing class is the same too: neither locked attempt reached the application.
        Assert.Equal(3, accounts.Reached["alice@example.com"]);
        Assert.Equal(3, accounts.Reached["nobody@example.com"]);

        // Even the right password is refused during the lock; an hour after the third failure the account opens.
        clock.Now = T0.AddSeconds(10);
        using (var right = await client.SendAsync(Attempt("/login/status", "alice@example.com", "correct horse")))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, right.StatusCode);
        }

        clock.Now = T0.AddSeconds(2).AddMinutes(60).AddSeconds(1);
        using var open = await client.SendAsync(Attempt("/login/status", "alice@example.com", "correct horse"));
        Assert.Equal(HttpStatusCode.OK, open.StatusCode);
    }

    [Fact]
    public async Task An_outcome_header_counts_and_never_reaches_the_client()
    {
        var (host, accounts, clock) = await StartAsync();
        using var _ = host;
        var client = host.GetTestClient();
        for (var i = 0; i < 3; i++)
        {
            clock.Now = T0.AddSeconds(i);
            using var response = await client.SendAsync(Attempt("/login/header", "alice@example.com", "wrong"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.False(response.Headers.Contains("Bulwark-Login"));
        }

        clock.Now = T0.AddSeconds(3);
        using var locked = await client.SendAsync(Attempt("/login/header", "alice@example.com", "correct horse"));
        Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);

        // Successes reported the same way lock nothing.
        for (var i = 0; i < 5; i++)
        {
            using var ok = await client.SendAsync(Attempt("/login/header", "bob@example.com", "anything"));
            Assert.False(ok.Headers.Contains("Bulwark-Login"));
        }

        accounts.Passwords["carol@example.com"] = "pw";
        for (var i = 0; i < 5; i++)
        {
            using var ok = await client.SendAsync(Attempt("/login/header", "carol@example.com", "pw"));
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }
    }

    [Fact]
    public async Task An_in_process_report_counts_whatever_the_status()
    {
        var (host, accounts, clock) = await StartAsync();
        using var _ = host;
        var client = host.GetTestClient();
        accounts.Passwords["carol@example.com"] = "pw";
        for (var i = 0; i < 6; i++)
        {
            clock.Now = T0.AddSeconds(i);
            using var ok = await client.SendAsync(Attempt("/login/api", "carol@example.com", "pw"));
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        for (var i = 0; i < 3; i++)
        {
            clock.Now = T0.AddSeconds(10 + i);
            using var failed = await client.SendAsync(Attempt("/login/api", "dave@example.com", "guess"));
            Assert.Equal(HttpStatusCode.OK, failed.StatusCode); // the application said 200, and reported a failure
        }

        clock.Now = T0.AddSeconds(20);
        using var locked = await client.SendAsync(Attempt("/login/api", "dave@example.com", "guess"));
        Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);
        Assert.Equal(3, accounts.Reached["dave@example.com"]);
    }

    [Fact]
    public async Task Reporting_outside_a_login_preset_says_so()
    {
        var (host, _, _) = await StartAsync();
        using var __ = host;
        var response = await host.GetTestClient().PostAsync(new Uri("/elsewhere", UriKind.Relative), null);
        Assert.Equal("not covered", await response.Content.ReadAsStringAsync());
    }

    private static string Headers(HttpResponseMessage response) =>
        string.Join("\n", response.Headers.Concat(response.Content.Headers)
            .Where(h => h.Key is not "Date")
            .OrderBy(h => h.Key, StringComparer.Ordinal)
            .Select(h => $"{h.Key}: {string.Join(",", h.Value)}"));

    private static string Normalize(string body)
    {
        if (!body.StartsWith('{') || !body.Contains("decision_id", StringComparison.Ordinal))
        {
            return body;
        }

        using var document = JsonDocument.Parse(body);
        var fields = document.RootElement.EnumerateObject()
            .Select(p => p.Name == "decision_id" ? "\"decision_id\":\"…\"" : $"\"{p.Name}\":{p.Value.GetRawText()}");
        return "{" + string.Join(",", fields) + "}";
    }
}
