using System.Net;
using Bulwark.AspNetCore;
using Bulwark.Core;
using Bulwark.Core.Audit;
using Bulwark.Core.Decisions;
using Microsoft.AspNetCore.Http;

namespace Bulwark.Gateway.Decisions;

/// <summary>
/// <c>GET /.bulwark/decide</c> (CONTRACTS.md §4) for nginx <c>auth_request</c>, Caddy <c>forward_auth</c> and Traefik
/// <c>ForwardAuth</c>. The original request is described by <c>X-Original-Method</c>/<c>X-Forwarded-Method</c>,
/// <c>X-Original-URI</c>/<c>X-Forwarded-Uri</c> and the original headers the proxy copies onto the subrequest; the client
/// address comes from <c>X-Forwarded-For</c>/<c>Forwarded</c>, or <c>X-Real-IP</c>, only when the caller is a trusted proxy.
/// Answers 204 (allow; a delay decision is served by answering late), 401 (challenge), 403 (block), 429 (limited), with
/// the same <c>Retry-After</c>, <c>RateLimit-Policy</c> / <c>RateLimit</c> headers and problem+json bodies as the gateway.
/// </summary>
/// <remarks>
/// An <c>auth_request</c> subrequest cannot report what the upstream answered later, so feedback is given at once with
/// status 0: concurrency leases are released immediately and failure-counting limits (<c>"Count": "failures"</c>) are
/// not charged at this front door. Run the gateway as the proxy for routes that need them (docs/gateway.md).
/// </remarks>
internal sealed class DecisionEndpoint(BulwarkEngine engine, TimeProvider time, IEnumerable<IDecisionSink> sinks)
{
    private readonly IDecisionSink[] _sinks = sinks.ToArray();

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        var headers = request.Headers;
        var method = First(headers, "X-Original-Method", "X-Forwarded-Method") ?? "GET";
        var uri = First(headers, "X-Original-URI", "X-Forwarded-Uri") ?? "/";
        var queryAt = uri.IndexOf('?', StringComparison.Ordinal);
        var path = queryAt < 0 ? uri : uri[..queryAt];
        request.Method = method.ToUpperInvariant();
        request.Path = PathString.FromUriComponent(path.Length == 0 || path[0] != '/' ? "/" + path : path);
        request.QueryString = queryAt < 0 ? QueryString.Empty : new QueryString(uri[queryAt..]);

        // X-Real-IP is nginx's one-address form; it counts only from a trusted caller, like X-Forwarded-For.
        var peer = context.Connection.RemoteIpAddress ?? IPAddress.IPv6Loopback;
        if (headers["X-Forwarded-For"].Count == 0 && headers["Forwarded"].Count == 0 && headers["X-Real-IP"].ToString() is { Length: > 0 } realIp
            && engine.Configuration.ProxyResolver.IsTrusted(peer))
        {
            headers["X-Forwarded-For"] = realIp;
        }

        var aborted = context.RequestAborted;
        RequestContext requestContext;
        Decision decision;
        try
        {
            // The body does not come with the subrequest: decide with what its headers say (ForwardedBody).
            requestContext = await RequestContextFactory.CreateAsync(context, engine.Configuration, null, time.GetUtcNow(), ForwardedBody.UnseenState(request)).ConfigureAwait(false);
            decision = await engine.Decide(requestContext, aborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            return;
        }

        if (decision.Covered)
        {
            foreach (var sink in _sinks)
            {
                sink.Record(decision, requestContext);
            }
        }

        try
        {
            if (decision.IsRefusal)
            {
                BulwarkResponses.PrepareRefusal(context.Response, decision);
                await BulwarkResponses.WriteRefusalBodyAsync(context, decision).ConfigureAwait(false);
                return;
            }

            if (decision.Enforced && decision.Action == DecisionAction.Delay && decision.Delay > TimeSpan.Zero)
            {
                await Task.Delay(decision.Delay, time, aborted).ConfigureAwait(false);
            }

            context.Response.StatusCode = StatusCodes.Status204NoContent;
            context.Response.Headers.CacheControl = "no-store";
            BulwarkResponses.ApplyRateLimitHeaders(context.Response, decision);
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // the proxy gave up on the subrequest
        }
        finally
        {
            await engine.Feedback(decision, requestContext, 0, TimeSpan.Zero, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private static string? First(IHeaderDictionary headers, string name, string alternative)
    {
        var value = headers[name].ToString();
        if (value.Length > 0)
        {
            return value;
        }

        value = headers[alternative].ToString();
        return value.Length > 0 ? value : null;
    }
}
