using System.Net;
using Bulwark.Core.Policy;
using Bulwark.Gateway.Protection;
using Polly;
using Polly.CircuitBreaker;

namespace Bulwark.Gateway.Tests.Protection;

/// <summary>
/// The breaker's fast path (send first while Closed, then report the known outcome) against Polly's own rules: it breaks
/// after the configured failures, refuses while Open, admits exactly one half-open probe, and never counts an outcome that
/// arrives after the circuit changed.
/// </summary>
public sealed class UpstreamCircuitBreakerTests
{
    private static readonly GatewayCircuitBreakerOptions Options = new() { FailureRatio = 0.5, MinimumThroughput = 4, SamplingDurationS = 30, BreakDurationS = 7 };

    [Fact]
    public async Task The_fast_path_breaks_after_the_configured_failures_and_then_refuses_without_sending()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 12, 3, 10, 0, 0, TimeSpan.Zero));
        var breaker = new UpstreamCircuitBreaker(Options, clock);

        // Two successes and one failure: 1/3 < 0.5 and fewer than MinimumThroughput, still closed.
        await ReportOnFastPathAsync(breaker, HttpStatusCode.OK);
        await ReportOnFastPathAsync(breaker, HttpStatusCode.OK);
        await ReportOnFastPathAsync(breaker, HttpStatusCode.BadGateway);
        Assert.Equal(CircuitState.Closed, breaker.State);

        // The fourth request reaches the throughput; 2/4 failed = FailureRatio: the circuit opens.
        clock.Now += TimeSpan.FromSeconds(1);
        await ReportOnFastPathAsync(breaker, HttpStatusCode.GatewayTimeout);
        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.False(breaker.IsClosed);

        var sends = 0;
        var refused = await breaker.ExecuteAsync(_ => { sends++; return ValueTask.FromResult(Answer(HttpStatusCode.OK)); }, 0);
        var broken = Assert.IsType<BrokenCircuitException>(refused.Exception);
        Assert.Equal(0, sends);
        Assert.Equal(TimeSpan.FromSeconds(7), broken.RetryAfter);
    }

    [Fact]
    public async Task Outcomes_that_are_not_failures_do_not_break_the_circuit()
    {
        var breaker = new UpstreamCircuitBreaker(Options, new ManualClock(DateTimeOffset.UnixEpoch));
        for (var i = 0; i < 20; i++)
        {
            await ReportOnFastPathAsync(breaker, i % 2 == 0 ? HttpStatusCode.InternalServerError : HttpStatusCode.NotFound);
        }

        var unknown = await breaker.ReportAsync(Outcome.FromException<HttpResponseMessage>(new InvalidOperationException("not an upstream failure")));
        Assert.IsType<InvalidOperationException>(unknown.Exception);
        Assert.Equal(CircuitState.Closed, breaker.State);
    }

    [Fact]
    public async Task Connection_errors_and_timeouts_are_failures()
    {
        var breaker = new UpstreamCircuitBreaker(Options, new ManualClock(DateTimeOffset.UnixEpoch));
        for (var i = 0; i < 4; i++)
        {
            Exception error = i % 2 == 0 ? new HttpRequestException("refused") : new TimeoutException("no headers");
            var failed = await breaker.ReportAsync(Outcome.FromException<HttpResponseMessage>(error));
            Assert.Same(error, failed.Exception); // the caller still sees what happened
        }

        Assert.Equal(CircuitState.Open, breaker.State);
    }

    [Fact]
    public async Task Half_open_admits_one_probe_and_its_success_closes_the_circuit()
    {
        var clock = new ManualClock(DateTimeOffset.UnixEpoch);
        var breaker = await OpenAsync(clock);
        clock.Now += TimeSpan.FromSeconds(7);
        Assert.False(breaker.IsClosed); // still Open until a request asks: the probe goes through the pipeline, not the fast path

        var answer = new TaskCompletionSource<Outcome<HttpResponseMessage>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var probeSends = 0;
        var probe = breaker.ExecuteAsync(_ => { probeSends++; return new ValueTask<Outcome<HttpResponseMessage>>(answer.Task); }, 0).AsTask();
        Assert.Equal(CircuitState.HalfOpen, breaker.State);
        Assert.False(breaker.IsClosed);

        var otherSends = 0;
        for (var i = 0; i < 3; i++)
        {
            var other = await breaker.ExecuteAsync(_ => { otherSends++; return ValueTask.FromResult(Answer(HttpStatusCode.OK)); }, 0);
            Assert.IsType<BrokenCircuitException>(other.Exception);
        }

        Assert.Equal(0, otherSends);
        Assert.Equal(1, probeSends);
        answer.SetResult(Answer(HttpStatusCode.OK));
        Assert.Equal(HttpStatusCode.OK, (await probe).Result!.StatusCode);
        Assert.Equal(CircuitState.Closed, breaker.State);
        Assert.True(breaker.IsClosed);
    }

    [Fact]
    public async Task A_failed_probe_opens_the_circuit_again()
    {
        var clock = new ManualClock(DateTimeOffset.UnixEpoch);
        var breaker = await OpenAsync(clock);
        clock.Now += TimeSpan.FromSeconds(7);
        var probe = await breaker.ExecuteAsync(_ => ValueTask.FromResult(Answer(HttpStatusCode.ServiceUnavailable)), 0);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, probe.Result!.StatusCode);
        Assert.Equal(CircuitState.Open, breaker.State);
    }

    [Fact]
    public async Task An_outcome_that_arrives_after_the_circuit_opened_is_relayed_and_not_counted()
    {
        var clock = new ManualClock(DateTimeOffset.UnixEpoch);
        var breaker = new UpstreamCircuitBreaker(Options, clock);
        Assert.True(breaker.IsClosed); // a slow request leaves on the fast path...

        for (var i = 0; i < 4; i++)
        {
            await ReportOnFastPathAsync(breaker, HttpStatusCode.ServiceUnavailable); // ...others break the circuit meanwhile
        }

        Assert.Equal(CircuitState.Open, breaker.State);
        var late = await breaker.ReportAsync(Answer(HttpStatusCode.OK));
        Assert.Equal(HttpStatusCode.OK, late.Result!.StatusCode); // the upstream did answer: that answer is relayed
        Assert.Equal(CircuitState.Open, breaker.State);

        // Once the break has elapsed, a late outcome must not take the place of the half-open probe.
        clock.Now += TimeSpan.FromSeconds(8);
        var stale = await breaker.ReportAsync(Answer(HttpStatusCode.OK));
        Assert.Equal(HttpStatusCode.OK, stale.Result!.StatusCode);
        Assert.Equal(CircuitState.Open, breaker.State);
        var sends = 0;
        var probe = await breaker.ExecuteAsync(_ => { sends++; return ValueTask.FromResult(Answer(HttpStatusCode.OK)); }, 0);
        Assert.Equal(1, sends);
        Assert.Null(probe.Exception);
        Assert.Equal(CircuitState.Closed, breaker.State);
    }

    [Fact]
    public void Reporting_on_the_fast_path_completes_synchronously()
    {
        var breaker = new UpstreamCircuitBreaker(Options, new ManualClock(DateTimeOffset.UnixEpoch));
        for (var i = 0; i < 6; i++)
        {
            // Failures included: opening the circuit from a report has no asynchronous step either.
            var report = breaker.ReportAsync(Answer(i < 2 ? HttpStatusCode.OK : HttpStatusCode.BadGateway));
            Assert.True(report.IsCompletedSuccessfully);
        }

        Assert.Equal(CircuitState.Open, breaker.State);
    }

    private static async Task<UpstreamCircuitBreaker> OpenAsync(ManualClock clock)
    {
        var breaker = new UpstreamCircuitBreaker(Options, clock);
        for (var i = 0; i < 4; i++)
        {
            await ReportOnFastPathAsync(breaker, HttpStatusCode.BadGateway);
        }

        Assert.Equal(CircuitState.Open, breaker.State);
        return breaker;
    }

    // What HttpForwarder does while the circuit is Closed: check, send (here: the answer is given), report.
    private static async Task ReportOnFastPathAsync(UpstreamCircuitBreaker breaker, HttpStatusCode status)
    {
        Assert.True(breaker.IsClosed);
        var outcome = await breaker.ReportAsync(Answer(status));
        Assert.Equal(status, outcome.Result!.StatusCode);
    }

    private static Outcome<HttpResponseMessage> Answer(HttpStatusCode status) => Outcome.FromResult(new HttpResponseMessage(status));

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
