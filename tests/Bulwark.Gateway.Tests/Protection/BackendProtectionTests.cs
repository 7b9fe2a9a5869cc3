using System.Net;
using Bulwark.Gateway.Tests.Forwarder;

namespace Bulwark.Gateway.Tests.Protection;

/// <summary>Concurrency limit with a bounded queue, load shedding by risk score, circuit breaker, request limits.</summary>
public sealed class BackendProtectionTests
{
    [Fact]
    public async Task A_full_queue_is_503_with_retry_after()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var gateway = await TestGateway.StartAsync(TestGateway.Config(upstream.Address, cluster: ", \"MaxConcurrency\": 1, \"QueueLimit\": 1, \"ShedScore\": 0"));
        using var client = gateway.Client();
        var inFlight = client.GetAsync(new Uri("/slow?ms=1500", UriKind.Relative));
        await FaultTests.WaitUntilAsync(() => upstream.Hits == 1);
        var queued = client.GetAsync(new Uri("/slow?ms=10", UriKind.Relative));
        await WaitForQueuedAsync(gateway, 1);
        var refused = await client.GetAsync(new Uri("/slow?ms=10", UriKind.Relative));
        await FaultTests.AssertProblemAsync(refused, HttpStatusCode.ServiceUnavailable, "overloaded");
        Assert.Equal("1", refused.Headers.GetValues("Retry-After").Single());
        Assert.Equal(HttpStatusCode.OK, (await inFlight).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await queued).StatusCode); // the queued one got its turn
        Assert.Equal(2, upstream.Hits);
    }

    [Fact]
    public async Task A_queue_wait_past_the_timeout_is_503()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var gateway = await TestGateway.StartAsync(TestGateway.Config(upstream.Address, cluster: ", \"MaxConcurrency\": 1, \"QueueLimit\": 5, \"QueueTimeoutMs\": 200"));
        using var client = gateway.Client();
        var inFlight = client.GetAsync(new Uri("/slow?ms=2000", UriKind.Relative));
        await FaultTests.WaitUntilAsync(() => upstream.Hits == 1);
        await FaultTests.AssertProblemAsync(await client.GetAsync(new Uri("/slow?ms=10", UriKind.Relative)), HttpStatusCode.ServiceUnavailable, "overloaded");
        Assert.Equal(HttpStatusCode.OK, (await inFlight).StatusCode);
    }

    [Fact]
    public async Task When_saturated_the_riskiest_requests_are_shed_first()
    {
        await using var upstream = await TestUpstream.StartAsync();

        // A request without User-Agent scores 40 on this route; one with a User-Agent scores 0. ShedScore 50 and four queue
        // places: the risky request may queue only while fewer than 4 × (1 − 40/50) = 0.8, i.e. no request waits... and
        // while the upstream is saturated it is refused at once; the clean one queues and is served.
        var policies = """
            , "Routes": [ { "Name": "all", "Path": "/**", "Policy": "p" } ],
            "Policies": { "p": { "Signals": { "no_user_agent": 40 }, "Thresholds": { "Delay": 90, "Challenge": 95, "Block": 100 } } }
            """;
        await using var gateway = await TestGateway.StartAsync(TestGateway.Config(upstream.Address, cluster: ", \"MaxConcurrency\": 1, \"QueueLimit\": 4, \"ShedScore\": 50", policies: policies));
        using var browser = gateway.Client();
        browser.DefaultRequestHeaders.UserAgent.ParseAdd("Mozilla/5.0 test");
        using var bare = gateway.Client();

        // Not saturated: the risky request passes.
        Assert.Equal(HttpStatusCode.OK, (await bare.GetAsync(new Uri("/status/200", UriKind.Relative))).StatusCode);

        var inFlight = browser.GetAsync(new Uri("/slow?ms=1500", UriKind.Relative));
        await FaultTests.WaitUntilAsync(() => upstream.Hits == 2);
        var risky = await bare.GetAsync(new Uri("/status/200", UriKind.Relative));
        await FaultTests.AssertProblemAsync(risky, HttpStatusCode.ServiceUnavailable, "overloaded");
        var clean = await browser.GetAsync(new Uri("/status/200", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, clean.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await inFlight).StatusCode);
    }

    [Fact]
    public async Task The_circuit_opens_on_failures_answers_503_with_retry_after_and_spares_the_upstream()
    {
        await using var upstream = await TestUpstream.StartAsync();
        var breaker = ", \"CircuitBreaker\": { \"FailureRatio\": 0.5, \"MinimumThroughput\": 4, \"SamplingDurationS\": 30, \"BreakDurationS\": 7 }";
        await using var gateway = await TestGateway.StartAsync(TestGateway.Config(upstream.Address, cluster: breaker));
        using var client = gateway.Client();
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync(new Uri("/status/503", UriKind.Relative))).StatusCode);
        }

        var hits = upstream.Hits;
        var open = await client.GetAsync(new Uri("/status/200", UriKind.Relative));
        await FaultTests.AssertProblemAsync(open, HttpStatusCode.ServiceUnavailable, "upstream_unavailable");
        Assert.InRange(int.Parse(open.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture), 1, 7);
        Assert.Equal(hits, upstream.Hits);
    }

    [Fact]
    public async Task Bodies_and_headers_over_the_limits_are_refused_by_kestrel()
    {
        await using var upstream = await TestUpstream.StartAsync();
        var json = TestGateway.Config(upstream.Address).Replace("\"Routes\": [", "\"Server\": { \"MaxRequestBodyBytes\": 100000, \"MaxRequestHeaderCount\": 20 }, \"Routes\": [", StringComparison.Ordinal);
        await using var gateway = await TestGateway.StartAsync(json);
        using var client = gateway.Client();
        var big = await client.PostAsync(new Uri("/count-body", UriKind.Relative), new ByteArrayContent(new byte[200_000]));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, big.StatusCode);
        Assert.Equal("99999", await (await client.PostAsync(new Uri("/count-body", UriKind.Relative), new ByteArrayContent(new byte[99_999]))).Content.ReadAsStringAsync());

        using var many = new HttpRequestMessage(HttpMethod.Get, "/status/200");
        for (var i = 0; i < 30; i++)
        {
            many.Headers.TryAddWithoutValidation($"X-Filler-{i}", "1");
        }

        using var fresh = gateway.Client();
        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, (await fresh.SendAsync(many)).StatusCode);
    }

    // The gateway's own gauge says when a request waits: no guessing with sleeps.
    private static async Task WaitForQueuedAsync(TestGateway gateway, int count)
    {
        using var client = gateway.Client();
        var expected = $"bulwark_gateway_queued{{bulwark_cluster=\"up\"}} {count}\n";
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!(await client.GetStringAsync(new Uri("/.bulwark/metrics", UriKind.Relative), timeout.Token)).Contains(expected, StringComparison.Ordinal))
        {
            await Task.Delay(20, timeout.Token);
        }
    }
}
