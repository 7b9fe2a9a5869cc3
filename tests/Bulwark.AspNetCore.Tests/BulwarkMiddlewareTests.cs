using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Bulwark.Core;
using Bulwark.Core.Pipeline;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Bulwark.AspNetCore.Tests;

public sealed class BulwarkMiddlewareTests
{
    private static HttpRequestMessage Login(string? peer = null, string? forwardedFor = null, string body = """{"username":"alice","password":"x"}""")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/login") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.UserAgent.ParseAdd("tests/1.0");
        if (peer is not null)
        {
            request.Headers.Add("X-Test-Peer", peer);
        }

        if (forwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        }

        return request;
    }

    [Fact]
    public async Task A_denied_client_is_refused_on_an_endpoint_no_route_covers_and_others_pass()
    {
        using var host = await TestApp.StartAsync(setup: o => o.Options = o.Options! with
        {
            Lists = new Core.Policy.ListsOptions { Deny = new Core.Policy.ListOptions { Cidrs = ["192.0.2.0/24"] } },
        });
        var client = host.GetTestClient();
        HttpRequestMessage Open(string peer)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/open");
            request.Headers.Add("X-Test-Peer", peer);
            return request;
        }

        var refused = await client.SendAsync(Open("192.0.2.5"));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("\"reason\":\"denied\"", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var passed = await client.SendAsync(Open("198.51.100.1"));
        Assert.Equal(HttpStatusCode.OK, passed.StatusCode);
        Assert.Equal("open", await passed.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Limited_route_answers_429_with_retry_after_ratelimit_headers_and_a_problem_body()
    {
        // A frozen clock: Retry-After counts down with real time (6 s per token of 10/min), and a loaded machine once took
        // a second over these four requests.
        using var host = await TestApp.StartAsync(timeProvider: new FrozenClock(new DateTimeOffset(2026, 12, 4, 5, 0, 0, TimeSpan.Zero)));
        var client = host.GetTestClient();
        for (var i = 0; i < 3; i++)
        {
            var ok = await client.SendAsync(Login());
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.Equal($"\"login-ip\";q=10;w=60, \"login-account\";q=100;w=60", ok.Headers.GetValues("RateLimit-Policy").Single());
            Assert.StartsWith($"\"login-ip\";r={2 - i};t=", ok.Headers.GetValues("RateLimit").Single(), StringComparison.Ordinal);
        }

        var refused = await client.SendAsync(Login());
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("6", refused.Headers.GetValues("Retry-After").Single());
        Assert.StartsWith("\"login-ip\";r=0;t=", refused.Headers.GetValues("RateLimit").Single(), StringComparison.Ordinal);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType!.MediaType);

        using var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync());
        var root = problem.RootElement;
        Assert.Equal("urn:bulwark:problem:rate_limited", root.GetProperty("type").GetString());
        Assert.Equal("Too Many Requests", root.GetProperty("title").GetString());
        Assert.Equal(429, root.GetProperty("status").GetInt32());
        Assert.Matches("^[0-9a-f]{16}$", root.GetProperty("decision_id").GetString());
        Assert.Equal("rate_limited", root.GetProperty("reason").GetString());
        Assert.DoesNotContain("login-ip", root.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_application_still_reads_the_whole_body_after_bulwark_parsed_it()
    {
        using var host = await TestApp.StartAsync();
        const string body = """{"username":"alice@example.com","password":"secret"}""";
        var response = await host.GetTestClient().SendAsync(Login(body: body));
        Assert.Equal(body, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Account_from_the_json_body_feeds_account_limits()
    {
        var decisions = new RecordingSink();
        using var host = await TestApp.StartAsync(services: s => s.AddSingleton<Core.Audit.IDecisionSink>(decisions));
        await host.GetTestClient().SendAsync(Login(body: """{"email":"bob@example.com","password":"x"}"""));
        Assert.Equal("bob@example.com", decisions.Requests.Single().Account);
        Assert.Contains(decisions.Decisions.Single().Limits, l => l.Name == "login-account");
    }

    [Fact]
    public async Task Requests_no_policy_covers_pass_untouched()
    {
        using var host = await TestApp.StartAsync();
        var response = await host.GetTestClient().GetAsync(new Uri("/open", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("RateLimit-Policy"));
    }

    [Theory]
    [InlineData("/convention")]
    [InlineData("/attribute")]
    public async Task Endpoint_metadata_applies_a_policy_the_route_table_does_not_name(string path)
    {
        using var host = await TestApp.StartAsync();
        var client = host.GetTestClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri(path, UriKind.Relative))).StatusCode);
        var second = await client.GetAsync(new Uri(path, UriKind.Relative));
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.Contains("strict-ip", second.Headers.GetValues("RateLimit-Policy").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Disabled_endpoint_is_exempt_even_under_a_covered_route()
    {
        using var host = await TestApp.StartAsync();
        var response = await host.GetTestClient().GetAsync(new Uri("/api/exempt", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("RateLimit"));
        Assert.True((await host.GetTestClient().GetAsync(new Uri("/api/items", UriKind.Relative))).Headers.Contains("RateLimit"));
    }

    [Fact]
    public async Task A_spoofed_forwarded_for_from_an_untrusted_peer_changes_nothing()
    {
        using var host = await TestApp.StartAsync();
        var client = host.GetTestClient();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(Login("198.51.100.7", $"203.0.113.{i}"))).StatusCode);
        }

        // A fresh X-Forwarded-For every time: still the same peer, still the same bucket.
        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.SendAsync(Login("198.51.100.7", "203.0.113.99"))).StatusCode);
    }

    [Fact]
    public async Task A_trusted_proxy_forwards_the_client_address()
    {
        using var host = await TestApp.StartAsync();
        var client = host.GetTestClient();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(Login("10.0.0.5", "203.0.113.50"))).StatusCode);
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.SendAsync(Login("10.0.0.6", "203.0.113.50"))).StatusCode);
        // Another client behind the same proxy has its own bucket; a spoofed left-most entry is ignored.
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(Login("10.0.0.5", "203.0.113.50, 203.0.113.51"))).StatusCode);
    }

    [Fact]
    public async Task OnRejected_hook_can_write_its_own_body()
    {
        using var host = await TestApp.StartAsync(setup => setup.OnRejected = async ctx =>
        {
            ctx.HttpContext.Response.ContentType = "text/plain";
            await ctx.HttpContext.Response.WriteAsync($"slow down ({ctx.Decision.ReasonCode})");
        });
        var client = host.GetTestClient();
        await client.GetAsync(new Uri("/convention", UriKind.Relative));
        var refused = await client.GetAsync(new Uri("/convention", UriKind.Relative));
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("slow down (rate_limited)", await refused.Content.ReadAsStringAsync());
        Assert.True(refused.Headers.Contains("Retry-After"));
    }

    [Fact]
    public async Task Monitor_policy_lets_the_request_through()
    {
        using var host = await TestApp.StartAsync();
        var client = host.GetTestClient();
        for (var i = 0; i < 3; i++)
        {
            var response = await client.GetAsync(new Uri("/watch", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("watched", await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task Challenge_gives_api_clients_problem_json_and_browsers_an_html_page()
    {
        using var host = await TestApp.StartAsync(services: s => s.AddSingleton<IDetector, TestApp.RiskyRouteDetector>());
        var client = host.GetTestClient();

        using var api = new HttpRequestMessage(HttpMethod.Get, "/risky");
        api.Headers.Add("x-test-risk", "70");
        api.Headers.UserAgent.ParseAdd("tests/1.0");
        var apiResponse = await client.SendAsync(api);
        Assert.Equal(HttpStatusCode.Unauthorized, apiResponse.StatusCode);
        Assert.Equal("application/problem+json", apiResponse.Content.Headers.ContentType!.MediaType);
        Assert.Contains("challenge_required", await apiResponse.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var browser = new HttpRequestMessage(HttpMethod.Get, "/risky");
        browser.Headers.Add("x-test-risk", "70");
        browser.Headers.UserAgent.ParseAdd("tests/1.0");
        browser.Headers.Accept.ParseAdd("text/html");
        var page = await client.SendAsync(browser);
        Assert.Equal(HttpStatusCode.Unauthorized, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType!.MediaType);
        Assert.Contains("<h1>Challenge required</h1>", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var blocked = new HttpRequestMessage(HttpMethod.Get, "/risky");
        blocked.Headers.Add("x-test-risk", "95");
        blocked.Headers.UserAgent.ParseAdd("tests/1.0");
        Assert.Equal(HttpStatusCode.Forbidden, (await client.SendAsync(blocked)).StatusCode);
    }

    [Fact]
    public async Task Delay_holds_the_request_for_the_decided_time_on_the_injected_clock()
    {
        var clock = new RecordingTimeProvider();
        using var host = await TestApp.StartAsync(timeProvider: clock, services: s => s.AddSingleton<IDetector, TestApp.RiskyRouteDetector>());
        using var request = new HttpRequestMessage(HttpMethod.Get, "/risky");
        request.Headers.Add("x-test-risk", "20");
        request.Headers.UserAgent.ParseAdd("tests/1.0");
        var response = await host.GetTestClient().SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(TimeSpan.FromMilliseconds(1500), clock.TimerDueTimes);
    }

    [Fact]
    public async Task A_client_abort_is_not_a_rejection_and_returns_its_concurrency_lease()
    {
        using var host = await TestApp.StartAsync();
        var server = host.GetTestServer();

        using var abort = new CancellationTokenSource();
        var first = server.SendAsync(context =>
        {
            context.Request.Method = "GET";
            context.Request.Path = "/slow";
        }, abort.Token);

        // Once the first is in the application (holding the one lease), a second is refused by the concurrency limit of 1.
        await host.Services.GetRequiredService<TestApp.SlowGate>().Entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        using (var probe = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            Assert.Equal(429, await StatusOrRunning(server.SendAsync(c =>
            {
                c.Request.Method = "GET";
                c.Request.Path = "/slow";
            }, probe.Token)));
        }

        await abort.CancelAsync();
        Assert.NotEqual(429, await StatusOrRunning(first));

        // The aborted request returns its lease once the server side has unwound (the client's task can finish first):
        // a new request is soon admitted rather than refused. Without the release it would be refused forever.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        int status;
        do
        {
            using var third = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
            var admitted = server.SendAsync(context =>
            {
                context.Request.Method = "GET";
                context.Request.Path = "/slow";
            }, third.Token);
            status = await StatusOrRunning(admitted);
            if (status == 429)
            {
                await Task.Delay(50);
            }
        }
        while (status == 429 && DateTime.UtcNow < deadline);

        Assert.NotEqual(429, status);
    }

    // The status of a finished exchange, or -1 when it was cancelled while still running.
    private static async Task<int> StatusOrRunning(Task<HttpContext> exchange)
    {
        try
        {
            return (await exchange).Response.StatusCode;
        }
        catch (OperationCanceledException)
        {
            return -1;
        }
    }

    [Fact]
    public async Task Step_up_asks_the_application_for_a_second_factor_and_a_client_cannot_forge_the_header()
    {
        using var host = await TestApp.StartAsync(services: s => s.AddSingleton<IEnricher, TestApp.HostingEnricher>());
        var client = host.GetTestClient();

        using var hosting = new HttpRequestMessage(HttpMethod.Get, "/stepup");
        hosting.Headers.Add("x-test-hosting", "1");
        hosting.Headers.UserAgent.ParseAdd("tests/1.0");
        var stepped = await client.SendAsync(hosting);
        Assert.Equal(HttpStatusCode.OK, stepped.StatusCode);
        Assert.Equal("step-up: required", await stepped.Content.ReadAsStringAsync());

        using var forged = new HttpRequestMessage(HttpMethod.Get, "/stepup");
        forged.Headers.Add("Bulwark-Step-Up", "none");
        forged.Headers.UserAgent.ParseAdd("tests/1.0");
        Assert.Equal("step-up: ", await (await client.SendAsync(forged)).Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Decisions_are_counted_on_the_bulwark_meter()
    {
        using var host = await TestApp.StartAsync();
        var seen = new List<(string Action, string Reason)>();
        using var listener = new MeterListener();
        var metrics = host.Services.GetRequiredService<BulwarkMetrics>();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == BulwarkMetrics.MeterName && instrument.Name == "bulwark.decisions")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            string? action = null, reason = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "bulwark.action")
                {
                    action = (string?)tag.Value;
                }
                else if (tag.Key == "bulwark.reason")
                {
                    reason = (string?)tag.Value;
                }
            }

            lock (seen)
            {
                seen.Add((action!, reason!));
            }
        });
        listener.Start();
        var client = host.GetTestClient();
        await client.GetAsync(new Uri("/convention", UriKind.Relative));
        await client.GetAsync(new Uri("/convention", UriKind.Relative));
        Assert.Contains(("allow", "allowed"), seen);
        Assert.Contains(("block", "rate_limited"), seen);
        Assert.NotNull(metrics);
    }

    private sealed class RecordingSink : Core.Audit.IDecisionSink
    {
        public List<Core.Decisions.Decision> Decisions { get; } = [];

        public List<RequestContext> Requests { get; } = [];

        public void Record(Core.Decisions.Decision decision, RequestContext request, long? line = null, string? label = null)
        {
            Decisions.Add(decision);
            Requests.Add(request);
        }
    }

    /// <summary>A clock that does not move: figures that depend on elapsed time are exact.</summary>
    private sealed class FrozenClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;

        public override long GetTimestamp() => now.UtcTicks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;
    }

    /// <summary>Real time, but timers fire at once and their due times are recorded: delays are asserted, not waited for.</summary>
    private sealed class RecordingTimeProvider : TimeProvider
    {
        public List<TimeSpan> TimerDueTimes { get; } = [];

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            lock (TimerDueTimes)
            {
                TimerDueTimes.Add(dueTime);
            }

            return System.CreateTimer(callback, state, dueTime == Timeout.InfiniteTimeSpan ? dueTime : TimeSpan.Zero, period);
        }
    }
}
