using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using Bulwark.Gateway.Protection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;
using Polly;
using Polly.CircuitBreaker;

namespace Bulwark.Gateway.Forwarder;

/// <summary>
/// Forwards one request to a cluster and relays the answer: request and response bodies streamed through one pooled
/// buffer each (memory stays bounded whatever their size), hop-by-hop headers dropped, forwarding headers set, WebSocket
/// upgrades relayed as raw bytes. Upstream failures become the documented 502/503/504 problem+json answers.
/// </summary>
/// <remarks>YARP is not available to this build; this class is where its IHttpForwarder would be called instead.</remarks>
internal static class HttpForwarder
{
    private const int BufferSize = 64 * 1024;

    private static readonly HashSet<string> NotCopiedNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Expect", "Forwarded", Bulwark.AspNetCore.BulwarkMiddleware.StepUpHeader,
        "Connection", "Keep-Alive", "TE", "Trailer", "Transfer-Encoding", "Upgrade",
    };

    // scheme://authority[/base] of each destination, without the trailing slash: computed once per destination object.
    private static readonly ConditionalWeakTable<Uri, string> Roots = new();

    /// <summary>Proxies the request; returns the status the client got (0 when the client went away) and how it ended.</summary>
    public static async Task<(int Status, ForwardOutcome Outcome)> ForwardAsync(HttpContext context, GatewayCluster cluster, Uri destination, bool peerTrusted, string decisionId)
    {
        var request = context.Request;
        var aborted = context.RequestAborted;
        var upgrade = context.Features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true } feature
            && request.Headers.Upgrade.Count > 0 ? feature : null;
        var h2WebSocket = upgrade is null ? WebSocketTunnel.ExtendedConnect(context) : null;
        // One token for both: the client's abort and the upstream's deadline (a timer only while waiting for headers).
        // Declared before the message so that the message is disposed first.
        using var deadline = UpstreamDeadline.Start(aborted, cluster.RequestTimeout);
        using var message = CreateMessage(context, destination, peerTrusted, upgrade is not null || h2WebSocket is not null, out var body);
        var webSocketKey = h2WebSocket is null ? null : WebSocketTunnel.PrepareUpgrade(message);
        UpstreamHttpVersion.Apply(message, cluster.Options, upgrade is not null || h2WebSocket is not null);
        TrailerForwarding.PrepareRequest(context, message);

        Outcome<HttpResponseMessage> sent;
        var breaker = cluster.Breaker;
        if (breaker is null || breaker.IsClosed)
        {
            // The common case sends here, in this method's own state machine; the breaker (if any) is told afterwards and
            // completes synchronously (UpstreamCircuitBreaker says why that stays exact when the circuit changes meanwhile).
            try
            {
                sent = Outcome.FromResult(await cluster.Invoker.SendAsync(message, deadline.Token).ConfigureAwait(false));
            }
            catch (Exception exception)
            {
                sent = SendFailure(exception, aborted, body);
            }

            if (breaker is not null)
            {
                sent = await breaker.ReportAsync(sent).ConfigureAwait(false);
            }
        }
        else
        {
            // Open or half-open: Polly decides whether this request is the one trial or is refused.
            sent = await breaker.ExecuteAsync(static state => SendAsync(state), new SendState(cluster.Invoker, message, deadline.Token, aborted, body)).ConfigureAwait(false);
        }

        switch (sent.Exception)
        {
            case null:
                break;
            case ClientFailureException { InnerException: BadHttpRequestException bad }:
                await GatewayProblems.WriteAsync(context, bad.StatusCode, "bad_request", "The request body could not be read: " + bad.Message, decisionId).ConfigureAwait(false);
                return (bad.StatusCode, ForwardOutcome.ClientError);
            case ClientFailureException:
                return (0, ForwardOutcome.ClientError);
            case BrokenCircuitException broken:
                var retry = broken.RetryAfter ?? TimeSpan.FromSeconds(cluster.Options.CircuitBreaker.BreakDurationS);
                await GatewayProblems.WriteAsync(context, 503, "upstream_unavailable", "The upstream is failing; requests are paused. Retry after the time Retry-After gives.", decisionId, retry).ConfigureAwait(false);
                return (503, ForwardOutcome.CircuitOpen);
            case TimeoutException:
                await GatewayProblems.WriteAsync(context, 504, "upstream_timeout", "The upstream did not answer in time.", decisionId).ConfigureAwait(false);
                return (504, ForwardOutcome.UpstreamTimeout);
            case HttpRequestException:
                await GatewayProblems.WriteAsync(context, 502, "upstream_error", "The upstream could not be reached or broke the connection.", decisionId).ConfigureAwait(false);
                return (502, ForwardOutcome.UpstreamError);
            default:
                sent.ThrowIfException();
                break;
        }

        var upstream = sent.Result!;
        deadline.StopTimer(); // the deadline is for the response headers, not for streaming the body

        using (upstream)
        {
            if (upgrade is not null && upstream.StatusCode == HttpStatusCode.SwitchingProtocols)
            {
                return await RelayUpgradeAsync(context, upgrade, upstream).ConfigureAwait(false);
            }

            if (h2WebSocket is not null && upstream.StatusCode == HttpStatusCode.SwitchingProtocols)
            {
                return await WebSocketTunnel.RelayAsync(context, h2WebSocket, upstream, webSocketKey!, decisionId).ConfigureAwait(false);
            }

            CopyResponseHeaders(context.Response, upstream);
            var status = context.Response.StatusCode;
            Stream source;
            try
            {
                source = await upstream.Content.ReadAsStreamAsync(aborted).ConfigureAwait(false);
            }
            catch (Exception) when (aborted.IsCancellationRequested)
            {
                return (0, ForwardOutcome.ClientError);
            }

            // A small answer of known length needs no 64 KiB buffer (a pool miss at high concurrency allocates a whole one).
            var buffer = ArrayPool<byte>.Shared.Rent(ContentLength(upstream) is { } length and < BufferSize ? (int)Math.Max(length, 1) : BufferSize);
            try
            {
                while (true)
                {
                    int read;
                    try
                    {
                        read = await source.ReadAsync(buffer, aborted).ConfigureAwait(false);
                    }
                    catch (Exception) when (!aborted.IsCancellationRequested)
                    {
                        // The upstream broke off mid-answer. Once the status is out, cutting the connection is the honest answer.
                        await GatewayProblems.WriteAsync(context, 502, "upstream_error", "The upstream broke the connection.", decisionId).ConfigureAwait(false);
                        return (502, ForwardOutcome.UpstreamError);
                    }
                    catch (Exception)
                    {
                        return (0, ForwardOutcome.ClientError);
                    }

                    if (read == 0)
                    {
                        break;
                    }

                    try
                    {
                        await context.Response.Body.WriteAsync(buffer.AsMemory(0, read), aborted).ConfigureAwait(false);
                    }
                    catch (Exception)
                    {
                        return (0, ForwardOutcome.ClientError); // the client went away mid-answer
                    }
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
                await source.DisposeAsync().ConfigureAwait(false);
            }

            TrailerForwarding.CopyResponseTrailers(context.Response, upstream);
            return (status, ForwardOutcome.Proxied);
        }
    }

    private static HttpRequestMessage CreateMessage(HttpContext context, Uri destination, bool peerTrusted, bool upgrade, out RequestBodyContent? body)
    {
        var request = context.Request;
        var message = new HttpRequestMessage(HttpMethod.Parse(request.Method), BuildUri(destination, request))
        {
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        };

        body = null;
        if (!upgrade && HasBody(context))
        {
            body = new RequestBodyContent(request.Body, context.RequestAborted);
            message.Content = body;
        }

        var named = HopByHopHeaders.NamedByConnection(request.Headers.Connection);
        foreach (var (name, values) in request.Headers)
        {
            if (name.Length == 0 || NotCopied(name) || (named is not null && named.Contains(name)))
            {
                continue;
            }

            var headers = name.StartsWith("Content-", StringComparison.OrdinalIgnoreCase) ? message.Content?.Headers : (System.Net.Http.Headers.HttpHeaders)message.Headers;
            if (headers is null)
            {
                continue;
            }

            if (values.Count == 1)
            {
                headers.TryAddWithoutValidation(name, values[0]); // no boxing of the StringValues for the common case
            }
            else
            {
                headers.TryAddWithoutValidation(name, (IEnumerable<string>)values!);
            }
        }

        if (upgrade)
        {
            // The one case where Connection and Upgrade cross the proxy: they ask the upstream to switch protocols too.
            message.Headers.TryAddWithoutValidation("Connection", "Upgrade");
            message.Headers.TryAddWithoutValidation("Upgrade", (IEnumerable<string>)request.Headers.Upgrade!);
        }

        ForwardedHeaders.Apply(message, request, context.Connection.RemoteIpAddress ?? IPAddress.IPv6Loopback, peerTrusted);
        return message;
    }

    // Host and Expect (the client's own exchange), every forwarding header (set anew by ForwardedHeaders), Bulwark's step-up
    // header (only Bulwark sets it) and the hop-by-hop ones: one set lookup and two prefix tests per header.
    private static bool NotCopied(string name) =>
        name[0] == ':' || NotCopiedNames.Contains(name)
        || name.StartsWith("X-Forwarded-", StringComparison.OrdinalIgnoreCase) || name.StartsWith("Proxy-", StringComparison.OrdinalIgnoreCase);

    private static bool HasBody(HttpContext context)
    {
        if (context.Features.Get<IHttpRequestBodyDetectionFeature>() is { } detection)
        {
            return detection.CanHaveBody;
        }

        return context.Request.ContentLength > 0 || context.Request.Headers.TransferEncoding.Count > 0;
    }

    private static Uri BuildUri(Uri destination, HttpRequest request)
    {
        // destination is scheme://authority[/base]; the path and query are already escaped as the client sent them.
        var root = Roots.GetValue(destination, static d => d.GetLeftPart(UriPartial.Path).TrimEnd('/'));
        var path = request.PathBase.Add(request.Path).ToUriComponent();
        return new Uri(root + (path.Length == 0 ? "/" : path) + request.QueryString.ToUriComponent(), UriKind.Absolute);
    }

    private static void CopyResponseHeaders(HttpResponse response, HttpResponseMessage upstream)
    {
        response.StatusCode = (int)upstream.StatusCode;

        // The raw values as the upstream sent them (NonValidated): enumerating the validated view would parse Date, Server,
        // Content-Type… into objects and format them back, allocating for every header of every answer.
        var headers = upstream.Headers.NonValidated;
        var named = headers.TryGetValues("Connection", out var connection) ? HopByHopHeaders.NamedByConnection(connection) : null;
        Copy(response, headers, named);
        Copy(response, upstream.Content.Headers.NonValidated, named);
    }

    private static void Copy(HttpResponse response, HttpHeadersNonValidated headers, HashSet<string>? named)
    {
        foreach (var (name, values) in headers)
        {
            if (HopByHopHeaders.IsHopByHop(name) || (named is not null && named.Contains(name)))
            {
                continue;
            }

            var copied = values.Count == 1 ? new StringValues(values.ToString()) : new StringValues(ToArray(values));

            // Bulwark's own RateLimit headers (already set) describe the client's standing; an upstream's are added beside them.
            response.Headers[name] = IsRateLimit(name) && response.Headers[name] is { Count: > 0 } existing ? StringValues.Concat(existing, copied) : copied;
        }
    }

    private static string[] ToArray(HeaderStringValues values)
    {
        var array = new string[values.Count];
        var i = 0;
        foreach (var value in values)
        {
            array[i++] = value;
        }

        return array;
    }

    // The upstream's Content-Length when it sent a valid one (read raw: the typed property would parse and box it).
    private static long? ContentLength(HttpResponseMessage upstream) =>
        upstream.Content.Headers.NonValidated.TryGetValues("Content-Length", out var values) && values.Count == 1
        && long.TryParse(values.ToString(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var length) ? length : null;

    private static bool IsRateLimit(string name) =>
        name.Equals("RateLimit", StringComparison.OrdinalIgnoreCase) || name.Equals("RateLimit-Policy", StringComparison.OrdinalIgnoreCase);

    private static async Task<(int Status, ForwardOutcome Outcome)> RelayUpgradeAsync(HttpContext context, IHttpUpgradeFeature upgrade, HttpResponseMessage upstream)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status101SwitchingProtocols;
        foreach (var (name, values) in upstream.Headers)
        {
            if (!name.Equals("Connection", StringComparison.OrdinalIgnoreCase) && !name.Equals("Upgrade", StringComparison.OrdinalIgnoreCase)
                && !name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase) && !name.Equals("Keep-Alive", StringComparison.OrdinalIgnoreCase))
            {
                response.Headers[name] = values.ToArray();
            }
        }

        // Kestrel writes "Connection: Upgrade" itself; the Upgrade token is the upstream's choice.
        if (upstream.Headers.TryGetValues("Upgrade", out var protocol))
        {
            response.Headers.Upgrade = protocol.ToArray();
        }

        await using var upstreamStream = await upstream.Content.ReadAsStreamAsync(CancellationToken.None).ConfigureAwait(false);
        await using var clientStream = await upgrade.UpgradeAsync().ConfigureAwait(false);
        await StreamTunnel.JoinAsync(clientStream, upstreamStream, context.RequestAborted).ConfigureAwait(false);
        return (101, ForwardOutcome.Upgraded);
    }

    private static async ValueTask<Outcome<HttpResponseMessage>> SendAsync(SendState state)
    {
        try
        {
            return Outcome.FromResult(await state.Invoker.SendAsync(state.Message, state.Token).ConfigureAwait(false));
        }
        catch (Exception exception)
        {
            return SendFailure(exception, state.Aborted, state.Body);
        }
    }

    // A failure caused by the client (it went away, or its body was refused) is not the upstream's and never a breaker
    // failure; a cancellation that is not the client's is the response-header deadline.
    private static Outcome<HttpResponseMessage> SendFailure(Exception exception, CancellationToken aborted, RequestBodyContent? body)
    {
        if (aborted.IsCancellationRequested || body?.ClientFailure is not null)
        {
            return Outcome.FromException<HttpResponseMessage>(new ClientFailureException(body?.ClientFailure));
        }

        return Outcome.FromException<HttpResponseMessage>(exception is OperationCanceledException ? new TimeoutException("the upstream sent no response headers in time") : exception);
    }

    private readonly record struct SendState(HttpMessageInvoker Invoker, HttpRequestMessage Message, CancellationToken Token, CancellationToken Aborted, RequestBodyContent? Body);

    private sealed class ClientFailureException(Exception? inner) : Exception("the client failed the exchange", inner);
}
