using System.Net;
using Bulwark.Core.Policy;
using Polly;
using Polly.CircuitBreaker;

namespace Bulwark.Gateway.Protection;

/// <summary>
/// A cluster's circuit breaker: Polly's, with a fast path for the common case. While the circuit is Closed the request is
/// sent first and its outcome is then reported through the pipeline by a callback that returns it at once, so Polly's
/// layers complete synchronously (no state machine is boxed per request). Half-open and Open go through the pipeline
/// around the send as usual: the single half-open probe and the 503 with <c>Retry-After</c> are Polly's own.
/// </summary>
/// <remarks>
/// The circuit may change state while a request sent on the fast path is in flight. At report time:
/// <list type="bullet">
/// <item>Still Closed: the outcome is counted exactly as the wrapped send would have counted it.</item>
/// <item>Open or Half-open (other requests broke it meanwhile): the outcome is not reported and the answer the upstream
/// gave is relayed. Polly itself takes no action on a late outcome while Open; while Half-open it would let a late
/// outcome close or reopen the circuit, here only the probe decides. Reporting while Open would also risk the stale
/// outcome being admitted as the half-open probe once the break has elapsed, which is why the state is read again
/// first.</item>
/// <item>Closed at that read but opened before the report reaches the controller (a window of a few instructions): Polly
/// refuses the report with <see cref="BrokenCircuitException"/>, which is ignored; the upstream's answer is relayed. The
/// report cannot become a half-open probe in that window: that takes a whole break (at least one second) from the
/// opening.</item>
/// </list>
/// </remarks>
internal sealed class UpstreamCircuitBreaker
{
    private readonly CircuitBreakerStateProvider _state = new();
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;

    public UpstreamCircuitBreaker(GatewayCircuitBreakerOptions options, TimeProvider time)
    {
        _pipeline = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
            {
                FailureRatio = options.FailureRatio,
                MinimumThroughput = options.MinimumThroughput,
                SamplingDuration = TimeSpan.FromSeconds(options.SamplingDurationS),
                BreakDuration = TimeSpan.FromSeconds(options.BreakDurationS),
                StateProvider = _state,
                ShouldHandle = static args => ValueTask.FromResult(IsFailure(args.Outcome)),
            })
            .Build();
    }

    /// <summary>The circuit's state now (Polly's).</summary>
    public CircuitState State => _state.CircuitState;

    /// <summary>Whether a request may take the fast path: send first, then <see cref="ReportAsync"/>.</summary>
    public bool IsClosed => _state.CircuitState == CircuitState.Closed;

    /// <summary>What the breaker counts as a failure: no answer (connection error, timeout) or a 502/503/504.</summary>
    public static bool IsFailure(Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Exception: HttpRequestException or TimeoutException } => true,
        { Result.StatusCode: HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout } => true,
        _ => false,
    };

    /// <summary>
    /// Counts the outcome of a request sent while the circuit was Closed; returns it unchanged. Completes synchronously.
    /// </summary>
    public async ValueTask<Outcome<HttpResponseMessage>> ReportAsync(Outcome<HttpResponseMessage> outcome)
    {
        if (_state.CircuitState != CircuitState.Closed)
        {
            return outcome; // the circuit changed while the request was in flight: see the remarks
        }

        var context = ResilienceContextPool.Shared.Get();
        try
        {
            var reported = await _pipeline.ExecuteOutcomeAsync(static (_, known) => ValueTask.FromResult(known), context, outcome).ConfigureAwait(false);
            return reported.Exception is BrokenCircuitException ? outcome : reported;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>Runs <paramref name="send"/> through the breaker: a refusal is an outcome holding a <see cref="BrokenCircuitException"/>.</summary>
    public async ValueTask<Outcome<HttpResponseMessage>> ExecuteAsync<TState>(Func<TState, ValueTask<Outcome<HttpResponseMessage>>> send, TState state)
    {
        var context = ResilienceContextPool.Shared.Get();
        try
        {
            return await _pipeline.ExecuteOutcomeAsync(
                static (_, s) => s.Send(s.State),
                context,
                (Send: send, State: state)).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }
}
