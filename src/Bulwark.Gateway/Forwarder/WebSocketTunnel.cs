using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Bulwark.Gateway.Forwarder;

/// <summary>
/// WebSockets over HTTP/2 (RFC 8441 extended CONNECT, <c>:protocol websocket</c>) tunnelled to an HTTP/1.1 WebSocket
/// upstream (RFC 6455 upgrade): the gateway opens the upstream handshake with its own <c>Sec-WebSocket-Key</c> and checks
/// the <c>Sec-WebSocket-Accept</c>, answers the client <c>200</c>, then joins the two streams byte for byte — WebSocket
/// frames are the same on both, so closes, pings and messages of any size pass through untouched.
/// </summary>
internal static class WebSocketTunnel
{
    private const string AcceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"; // RFC 6455 §1.3

    /// <summary>The extended CONNECT feature when this request is an HTTP/2 (or HTTP/3) WebSocket opening, else null.</summary>
    public static IHttpExtendedConnectFeature? ExtendedConnect(HttpContext context) =>
        context.Features.Get<IHttpExtendedConnectFeature>() is { IsExtendedConnect: true } feature
            && string.Equals(feature.Protocol, "websocket", StringComparison.OrdinalIgnoreCase) ? feature : null;

    /// <summary>
    /// Shows an HTTP/2 WebSocket opening to the engine as the <c>GET</c> it stands for (RFC 8441 §5), so a policy route
    /// that names <c>GET</c> covers WebSockets whatever protocol the client chose.
    /// </summary>
    public static void DescribeAsGet(HttpContext context)
    {
        if (HttpMethods.IsConnect(context.Request.Method) && ExtendedConnect(context) is not null)
        {
            context.Request.Method = HttpMethods.Get;
        }
    }

    /// <summary>
    /// Turns the forwarded request (built as an upgrade: client headers, forwarding headers, <c>Connection: Upgrade</c>)
    /// into an RFC 6455 opening handshake. Returns the key whose accept value the upstream must answer with.
    /// </summary>
    public static string PrepareUpgrade(HttpRequestMessage message)
    {
        message.Method = HttpMethod.Get;
        message.Version = HttpVersion.Version11;
        message.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
        message.Headers.Remove("Upgrade");
        message.Headers.TryAddWithoutValidation("Upgrade", "websocket");
        message.Headers.Remove("Sec-WebSocket-Key");
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        message.Headers.TryAddWithoutValidation("Sec-WebSocket-Key", key);
        if (!message.Headers.Contains("Sec-WebSocket-Version"))
        {
            message.Headers.TryAddWithoutValidation("Sec-WebSocket-Version", "13");
        }

        return key;
    }

    /// <summary>
    /// The upstream answered <c>101</c>: checks its accept value, answers the client <c>200</c> with the upstream's
    /// headers (subprotocol, extensions, cookies) and relays both directions until either side closes.
    /// </summary>
    public static async Task<(int Status, ForwardOutcome Outcome)> RelayAsync(
        HttpContext context, IHttpExtendedConnectFeature connect, HttpResponseMessage upstream, string key, string decisionId)
    {
        if (!upstream.Headers.TryGetValues("Sec-WebSocket-Accept", out var accept) || accept.FirstOrDefault() != AcceptFor(key))
        {
            await GatewayProblems.WriteAsync(context, 502, "upstream_error", "The upstream answered the WebSocket handshake wrongly.", decisionId).ConfigureAwait(false);
            return (502, ForwardOutcome.UpstreamError);
        }

        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        foreach (var (name, values) in upstream.Headers)
        {
            if (!HopByHopHeaders.IsHopByHop(name) && !name.Equals("Sec-WebSocket-Accept", StringComparison.OrdinalIgnoreCase))
            {
                response.Headers[name] = values.ToArray();
            }
        }

        await using var upstreamStream = await upstream.Content.ReadAsStreamAsync(CancellationToken.None).ConfigureAwait(false);
        Stream clientStream;
        try
        {
            clientStream = await connect.AcceptAsync().ConfigureAwait(false);
        }
        catch (Exception) when (context.RequestAborted.IsCancellationRequested)
        {
            return (0, ForwardOutcome.ClientError);
        }

        await using (clientStream.ConfigureAwait(false))
        {
            await StreamTunnel.JoinAsync(clientStream, upstreamStream, context.RequestAborted).ConfigureAwait(false);
        }

        return (StatusCodes.Status200OK, ForwardOutcome.Upgraded);
    }

    /// <summary>RFC 6455 §4.2.2: base64(SHA-1(key ‖ GUID)).</summary>
    public static string AcceptFor(string key) => Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + AcceptGuid)));
}
