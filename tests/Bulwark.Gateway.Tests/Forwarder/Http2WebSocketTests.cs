using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Bulwark.Gateway.Tests.Forwarder;

/// <summary>
/// WebSockets over HTTP/2 (RFC 8441 extended CONNECT): a ClientWebSocket speaking HTTP/2 to the gateway over TLS is
/// tunnelled to a Kestrel upstream that only speaks HTTP/1.1 WebSockets (upgrade), both directions streamed, closes from
/// either side propagated, and the opening decided by the engine as the GET it stands for.
/// </summary>
public sealed class Http2WebSocketTests
{
    [Fact]
    public async Task An_http2_websocket_is_tunnelled_to_an_http11_upstream_both_ways_and_a_client_close_reaches_it()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await WithTlsGatewayAsync(TestGateway.Config(upstream.Address), async (gateway, invoker) =>
        {
            using var socket = NewSocket();
            await socket.ConnectAsync(new Uri($"wss://127.0.0.1:{gateway.Address.Port}/ws"), invoker, CancellationToken.None);
            Assert.Equal(HttpStatusCode.OK, socket.HttpStatusCode); // RFC 8441: 200, not 101

            // Small and large messages, so frames span many HTTP/2 DATA frames and TCP reads both ways.
            foreach (var size in new[] { 5, 70_000, 300_000 })
            {
                var text = new string((char)('a' + (size % 26)), size);
                await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);
                Assert.Equal(text, await ReceiveTextAsync(socket));
            }

            // The client's close goes to the upstream, whose own close ("bye", the echo endpoint's) comes back.
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
            Assert.Equal(WebSocketCloseStatus.NormalClosure, socket.CloseStatus);
            Assert.Equal("bye", socket.CloseStatusDescription);
        });
    }

    [Fact]
    public async Task A_close_from_the_upstream_reaches_the_http2_client_and_the_upstream_saw_an_http11_upgrade()
    {
        await using var upstream = await StartClosingUpstreamAsync();
        await WithTlsGatewayAsync(TestGateway.Config(upstream.Address), async (gateway, invoker) =>
        {
            using var socket = NewSocket();
            socket.Options.AddSubProtocol("chat.v1");
            await socket.ConnectAsync(new Uri($"wss://127.0.0.1:{gateway.Address.Port}/closing"), invoker, CancellationToken.None);
            Assert.Equal("chat.v1", socket.SubProtocol); // the upstream's choice came back through the tunnel

            using var hello = JsonDocument.Parse(await ReceiveTextAsync(socket));
            Assert.Equal("HTTP/1.1", hello.RootElement.GetProperty("protocol").GetString());
            Assert.Equal("GET", hello.RootElement.GetProperty("method").GetString());
            Assert.Equal("https", hello.RootElement.GetProperty("forwarded_proto").GetString());

            var buffer = new byte[1024];
            var result = await socket.ReceiveAsync(buffer, CancellationToken.None);
            Assert.Equal(WebSocketMessageType.Close, result.MessageType);
            Assert.Equal((WebSocketCloseStatus)4001, socket.CloseStatus);
            Assert.Equal("upstream done", socket.CloseStatusDescription);
        });
    }

    [Fact]
    public async Task An_http2_websocket_is_decided_as_a_get_and_a_refusal_never_reaches_the_upstream()
    {
        await using var upstream = await TestUpstream.StartAsync();
        const string Policies = """
            , "Lists": { "Deny": { "ApiKeys": [ "stolen-key" ] } },
            "Routes": [ { "Name": "ws-get", "Methods": [ "GET" ], "Path": "/ws", "Policy": "ws" }, { "Name": "rest", "Path": "/**", "Policy": "open" } ],
            "Policies": { "ws": { "Limits": [ { "Name": "ws-ip", "Key": "ip", "Rate": "1/min" } ] }, "open": { } }
            """;
        await WithTlsGatewayAsync(TestGateway.Config(upstream.Address, policies: Policies), async (gateway, invoker) =>
        {
            using (var first = NewSocket())
            {
                await first.ConnectAsync(new Uri($"wss://127.0.0.1:{gateway.Address.Port}/ws"), invoker, CancellationToken.None);
                await first.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
            }

            // The GET route's limit (1 a minute) applies to the HTTP/2 opening: the second one is refused with 429.
            var hits = upstream.Hits;
            using var second = NewSocket();
            var refused = await Assert.ThrowsAsync<WebSocketException>(() => second.ConnectAsync(new Uri($"wss://127.0.0.1:{gateway.Address.Port}/ws"), invoker, CancellationToken.None));
            Assert.Equal(HttpStatusCode.TooManyRequests, second.HttpStatusCode);
            Assert.Equal(hits, upstream.Hits);
            Assert.NotNull(refused);
        });
    }

    private static ClientWebSocket NewSocket()
    {
        var socket = new ClientWebSocket();
        socket.Options.HttpVersion = HttpVersion.Version20;
        socket.Options.HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        socket.Options.CollectHttpResponseDetails = true;
        return socket;
    }

    private static async Task<string> ReceiveTextAsync(ClientWebSocket socket)
    {
        var buffer = new byte[16 * 1024];
        var received = new MemoryStream();
        WebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer, CancellationToken.None);
            Assert.Equal(WebSocketMessageType.Text, result.MessageType);
            received.Write(buffer, 0, result.Count);
        }
        while (!result.EndOfMessage);
        return Encoding.UTF8.GetString(received.ToArray());
    }

    private static Task WithTlsGatewayAsync(string config, Func<TestGateway, HttpMessageInvoker, Task> test) =>
        TestGateway.WithTlsAsync(config, async (gateway, handler) =>
        {
            using var invoker = new HttpMessageInvoker(handler, disposeHandler: false);
            await test(gateway, invoker);
        });

    /// <summary>An HTTP/1.1-only Kestrel WebSocket upstream that says how it was reached, then closes the socket itself.</summary>
    private static async Task<RunningApp> StartClosingUpstreamAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.UseWebSockets();
        app.Map("/closing", async (HttpContext context) =>
        {
            if (!context.WebSockets.IsWebSocketRequest)
            {
                context.Response.StatusCode = 400;
                return;
            }

            var protocol = context.Request.Protocol;
            var method = context.Request.Method;
            var proto = context.Request.Headers["X-Forwarded-Proto"].ToString();
            using var socket = await context.WebSockets.AcceptWebSocketAsync(context.WebSockets.WebSocketRequestedProtocols.FirstOrDefault());
            var hello = JsonSerializer.Serialize(new Dictionary<string, string> { ["protocol"] = protocol, ["method"] = method, ["forwarded_proto"] = proto });
            await socket.SendAsync(Encoding.UTF8.GetBytes(hello), WebSocketMessageType.Text, true, CancellationToken.None);
            await socket.CloseOutputAsync((WebSocketCloseStatus)4001, "upstream done", CancellationToken.None);
            var buffer = new byte[1024];
            while ((await socket.ReceiveAsync(buffer, CancellationToken.None)).MessageType != WebSocketMessageType.Close)
            {
            }
        });
        await app.StartAsync();
        return new RunningApp(app);
    }
}
