using System.Diagnostics;
using Bulwark.AspNetCore.Metadata;
using Bulwark.Core;
using Bulwark.Core.Audit;
using Bulwark.Core.Decisions;
using Bulwark.Core.Protections;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Bulwark.AspNetCore;

/// <summary>
/// Decides every covered request before the application sees it, carries the decision out (refuse, delay or pass),
/// and reports the application's answer back to the engine. Requests no policy covers pass through synchronously.
/// </summary>
public sealed partial class BulwarkMiddleware
{
    /// <summary>The request header that asks the application for a second factor (see <see cref="Decision.StepUp"/>).</summary>
    public const string StepUpHeader = "Bulwark-Step-Up";

    private readonly RequestDelegate _next;
    private readonly BulwarkEngine _engine;
    private readonly TimeProvider _timeProvider;
    private readonly BulwarkSetup _setup;
    private readonly IDecisionSink[] _sinks;
    private readonly ILogger _logger;

    /// <summary>Created by <see cref="BulwarkApplicationBuilderExtensions.UseBulwark"/>.</summary>
    public BulwarkMiddleware(
        RequestDelegate next, BulwarkEngine engine, TimeProvider timeProvider, BulwarkSetup setup,
        IEnumerable<IDecisionSink> sinks, ILogger<BulwarkMiddleware> logger)
    {
        _next = next;
        _engine = engine;
        _timeProvider = timeProvider;
        _setup = setup;
        _sinks = sinks.ToArray();
        _logger = logger;
    }

    /// <summary>Handles one request.</summary>
    public Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Request.Path.Equals(Challenges.BulwarkChallenges.VerifyPath, StringComparison.OrdinalIgnoreCase))
        {
            return Challenges.BulwarkChallenges.VerifyAsync(context); // where challenge pages send their solution
        }

        var endpoint = context.GetEndpoint();
        if (endpoint?.Metadata.GetMetadata<IDisableBulwarkMetadata>() is not null)
        {
            return _next(context);
        }

        var policyName = endpoint?.Metadata.GetMetadata<IBulwarkPolicyMetadata>()?.PolicyName;
        var path = context.Request.Path.HasValue ? context.Request.Path.Value! : "/";
        var (policy, _) = _engine.ResolvePolicy(context.Request.Method, path, policyName);
        if (policy is null && !_engine.RefusesUncovered)
        {
            return _next(context); // the fast path: nothing applies, nothing awaited (no deny list or ban to check)
        }

        return InvokeCoveredAsync(context, policyName);
    }

    private async Task InvokeCoveredAsync(HttpContext context, string? policyName)
    {
        var aborted = context.RequestAborted;
        RequestContext request;
        Decision decision;
        try
        {
            request = await RequestContextFactory.CreateAsync(context, _engine.Configuration, policyName, _timeProvider.GetUtcNow()).ConfigureAwait(false);
            decision = await _engine.Decide(request, aborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            return; // the client went away while we read its body: not a rejection
        }

        if (!decision.Covered)
        {
            await _next(context).ConfigureAwait(false); // uncovered and neither denied nor banned: nothing to record
            return;
        }

        foreach (var sink in _sinks)
        {
            sink.Record(decision, request);
        }

        LogDecision(decision);
        if (decision.Enforced && decision.Action is DecisionAction.Block or DecisionAction.Challenge)
        {
            BulwarkResponses.PrepareRefusal(context.Response, decision);
            if (_setup.OnRejected is { } onRejected)
            {
                await onRejected(new BulwarkRejectedContext(context, decision, request)).ConfigureAwait(false);
            }

            if (!context.Response.HasStarted)
            {
                await BulwarkResponses.WriteRefusalBodyAsync(context, decision).ConfigureAwait(false);
            }

            await _engine.Feedback(decision, request, 0, TimeSpan.Zero, CancellationToken.None).ConfigureAwait(false);
            return;
        }

        BulwarkResponses.ApplyRateLimitHeaders(context.Response, decision);

        // The step-up header is Bulwark's word to the application; a client never gets to say it.
        context.Request.Headers.Remove(StepUpHeader);
        if (decision.StepUp && decision.Enforced)
        {
            context.Request.Headers[StepUpHeader] = "required";
        }

        var login = StartLogin(context, decision);
        var started = Stopwatch.GetTimestamp();
        var status = 0;
        try
        {
            if (decision.Enforced && decision.Action == DecisionAction.Delay && decision.Delay > TimeSpan.Zero)
            {
                await Task.Delay(decision.Delay, _timeProvider, aborted).ConfigureAwait(false);
            }

            await _next(context).ConfigureAwait(false);
            status = aborted.IsCancellationRequested ? 0 : context.Response.StatusCode;
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client went away (during the delay or the application's work): not a rejection, not a failure.
        }
        finally
        {
            await _engine.Feedback(decision, request, status, Stopwatch.GetElapsedTime(started), FinishLogin(context, login), CancellationToken.None).ConfigureAwait(false);
        }
    }

    // On login-preset routes: offer the in-process outcome API, and take the outcome header off the response before it leaves.
    private BulwarkLoginFeature? StartLogin(HttpContext context, Decision decision)
    {
        if (decision.Policy is null || !_engine.Configuration.Policies.TryGetValue(decision.Policy, out var policy) || policy.Login is not { } login)
        {
            return null;
        }

        var feature = new BulwarkLoginFeature(login.OutcomeHeader);
        context.Features.Set<IBulwarkLoginFeature>(feature);
        if (feature.OutcomeHeader is not null)
        {
            context.Response.OnStarting(static state =>
            {
                var (response, feature) = ((HttpResponse, BulwarkLoginFeature))state;
                TakeOutcomeHeader(response, feature);
                return Task.CompletedTask;
            }, (context.Response, feature));
        }

        return feature;
    }

    private static LoginOutcome FinishLogin(HttpContext context, BulwarkLoginFeature? feature)
    {
        if (feature is null)
        {
            return LoginOutcome.Unknown;
        }

        if (!context.Response.HasStarted)
        {
            TakeOutcomeHeader(context.Response, feature);
        }

        return feature.Resolved;
    }

    private static void TakeOutcomeHeader(HttpResponse response, BulwarkLoginFeature feature)
    {
        if (feature.OutcomeHeader is { } name && response.Headers.TryGetValue(name, out var value))
        {
            feature.HeaderOutcome = CompiledLogin.ParseOutcome(value.ToString());
            response.Headers.Remove(name);
        }
    }

    private void LogDecision(Decision decision)
    {
        if (decision.Action == DecisionAction.Allow)
        {
            LogAllowed(_logger, decision.Id, decision.Policy, decision.Score);
        }
        else if (_logger.IsEnabled(LogLevel.Information))
        {
            LogRefused(_logger, decision.Id, BulwarkMetrics.ActionName(decision.Action), decision.StatusCode, decision.Policy, decision.Score, decision.ReasonCode, decision.Enforced,
                string.Join("; ", decision.Reasons.Select(r => $"{r.Signal}({r.Weight}): {r.Detail}")));
        }
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Debug, Message = "Bulwark allow id={DecisionId} policy={Policy} score={Score}")]
    private static partial void LogAllowed(ILogger logger, string decisionId, string? policy, int score);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information,
        Message = "Bulwark {Action} id={DecisionId} status={Status} policy={Policy} score={Score} reason={Reason} enforced={Enforced}: {Reasons}")]
    private static partial void LogRefused(ILogger logger, string decisionId, string action, int status, string? policy, int score, string reason, bool enforced, string reasons);
}
