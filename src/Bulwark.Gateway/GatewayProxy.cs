using System.Diagnostics;
using Bulwark.AspNetCore;
using Bulwark.Core;
using Bulwark.Core.Audit;
using Bulwark.Core.Decisions;
using Bulwark.Gateway.Forwarder;
using Bulwark.Gateway.Protection;
using Bulwark.Gateway.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Bulwark.Gateway;

/// <summary>
/// The gateway's request path: route → engine decision (refused with the middleware's own responses) → cluster guard
/// (concurrency, queue, load shedding) → circuit breaker → forward → <c>BulwarkEngine.Feedback</c> with the
/// upstream's status and latency.
/// </summary>
internal sealed partial class GatewayProxy(
    BulwarkEngine engine, GatewayRouteTable routes, GatewayMetrics metrics, TimeProvider time, IEnumerable<IDecisionSink> sinks, ILogger<GatewayProxy> logger)
{
    private readonly IDecisionSink[] _sinks = sinks.ToArray();

    public async Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path.HasValue ? context.Request.Path.Value! : "/";
        var cluster = routes.Match(context.Request.Host.Host, path);
        if (cluster is null)
        {
            await GatewayProblems.WriteAsync(context, 404, "no_route", "No gateway route matches this host and path.", null).ConfigureAwait(false);
            return;
        }

        var aborted = context.RequestAborted;
        RequestContext request;
        Decision decision;
        try
        {
            WebSocketTunnel.DescribeAsGet(context); // an HTTP/2 WebSocket (CONNECT) is decided as the GET it stands for
            // Reads small JSON bodies for account and body-field limits; the body is buffered and rewound, so it is still forwarded whole.
            request = await RequestContextFactory.CreateAsync(context, engine.Configuration, null, time.GetUtcNow()).ConfigureAwait(false);
            decision = await engine.Decide(request, aborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            return;
        }
        catch (BadHttpRequestException bad)
        {
            await GatewayProblems.WriteAsync(context, bad.StatusCode, "bad_request", "The request could not be read: " + bad.Message, null).ConfigureAwait(false);
            return;
        }

        if (decision.Covered)
        {
            foreach (var sink in _sinks)
            {
                sink.Record(decision, request);
            }
        }

        if (decision.IsRefusal)
        {
            LogRefused(logger, decision.Id, decision.StatusCode, decision.Policy, decision.Score, decision.ReasonCode);
            BulwarkResponses.PrepareRefusal(context.Response, decision);
            await BulwarkResponses.WriteRefusalBodyAsync(context, decision).ConfigureAwait(false);
            await engine.Feedback(decision, request, 0, TimeSpan.Zero, CancellationToken.None).ConfigureAwait(false);
            return;
        }

        BulwarkResponses.ApplyRateLimitHeaders(context.Response, decision);
        context.Request.Headers.Remove(BulwarkMiddleware.StepUpHeader);
        var login = GatewayLoginOutcome.Start(context, decision, engine.Configuration);
        var started = Stopwatch.GetTimestamp();
        var status = 0;
        var outcome = ForwardOutcome.ClientError;
        try
        {
            if (decision.Enforced && decision.Action == DecisionAction.Delay && decision.Delay > TimeSpan.Zero)
            {
                await Task.Delay(decision.Delay, time, aborted).ConfigureAwait(false);
            }

            (status, outcome) = await ForwardAsync(context, cluster, decision).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            status = 0;
        }
        finally
        {
            metrics.Record(cluster.Name, outcome, started);
            await engine.Feedback(decision, request, status, Stopwatch.GetElapsedTime(started), GatewayLoginOutcome.Finish(login, context), CancellationToken.None).ConfigureAwait(false);
        }
    }

    private async Task<(int Status, ForwardOutcome Outcome)> ForwardAsync(HttpContext context, GatewayCluster cluster, Decision decision)
    {
        var decisionId = decision.Covered ? decision.Id : null;
        var (guard, lease) = await cluster.Guard.AcquireAsync(decision.Score, context.RequestAborted).ConfigureAwait(false);
        switch (guard)
        {
            case GuardOutcome.ClientGone:
                return (0, ForwardOutcome.ClientError);
            case GuardOutcome.Shed:
                LogShed(logger, cluster.Name, decision.Score);
                await GatewayProblems.WriteAsync(context, 503, "overloaded", "The service is busy. Retry later.", decisionId, TimeSpan.FromSeconds(1)).ConfigureAwait(false);
                return (503, ForwardOutcome.Shed);
            case GuardOutcome.QueueFull or GuardOutcome.QueueTimeout:
                await GatewayProblems.WriteAsync(context, 503, "overloaded", "The service is busy. Retry later.", decisionId, TimeSpan.FromSeconds(1)).ConfigureAwait(false);
                return (503, ForwardOutcome.QueueFull);
        }

        using (lease)
        {
            if (cluster.NextDestination() is not { } destination)
            {
                await GatewayProblems.WriteAsync(context, 503, "upstream_unavailable", "The upstream is not available yet. Retry later.", decisionId, TimeSpan.FromSeconds(1)).ConfigureAwait(false);
                return (503, ForwardOutcome.NoDestination);
            }

            if (decision.StepUp && decision.Enforced)
            {
                context.Request.Headers[BulwarkMiddleware.StepUpHeader] = "required";
            }

            var peer = context.Connection.RemoteIpAddress;
            var trusted = peer is not null && engine.Configuration.ProxyResolver.IsTrusted(peer);
            var result = await HttpForwarder.ForwardAsync(context, cluster, destination, trusted, decisionId ?? "").ConfigureAwait(false);
            if (result.Outcome is ForwardOutcome.UpstreamError or ForwardOutcome.UpstreamTimeout)
            {
                LogUpstreamFailed(logger, cluster.Name, destination, result.Status);
            }

            return result;
        }
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Bulwark gateway refused id={DecisionId} status={Status} policy={Policy} score={Score} reason={Reason}")]
    private static partial void LogRefused(ILogger logger, string decisionId, int status, string? policy, int score, string reason);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "Bulwark gateway: cluster {Cluster} saturated, shed a request of score {Score}")]
    private static partial void LogShed(ILogger logger, string cluster, int score);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "Bulwark gateway: cluster {Cluster} destination {Destination} failed, answered {Status}")]
    private static partial void LogUpstreamFailed(ILogger logger, string cluster, Uri destination, int status);
}
