using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;

namespace Bulwark.Gateway.Tests.Forwarder;

/// <summary>The reverse proxy against a real upstream on loopback: headers, bodies, upgrades, HTTP/2.</summary>
public sealed class ForwardingTests
{
    [Fact]
    public async Task Hop_by_hop_headers_are_dropped_and_forwarding_headers_set_from_the_socket()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var gateway = await TestGateway.StartAsync(TestGateway.Config(upstream.Address));

        // A raw request, so nothing between us and the gateway edits the hop-by-hop headers. (Kestrel keeps a Connection
        // header naming other headers only when it does not also say keep-alive or close: "keep-alive, X-Hop" reaches the
        // application as "keep-alive", so such a named header cannot be recognised; docs/gateway.md says so.)
        var port = gateway.Address.Port;
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        var stream = tcp.GetStream();
        var request = "GET /echo/a%20b/c?x=1&y=2 HTTP/1.1\r\nHost: shop.example\r\nConnection: X-Hop\r\nX-Hop: secret\r\nKeep-Alive: timeout=5\r\n"
            + "Proxy-Authorization: Basic Zm9vOmJhcg==\r\nTE: trailers\r\nX-Forwarded-For: 6.6.6.6\r\nForwarded: for=6.6.6.6\r\nX-End-To-End: kept\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        var response = await ReadHttpResponseAsync(stream);
        Assert.StartsWith("HTTP/1.1 200", response.Head, StringComparison.Ordinal);
        var echo = TestUpstream.ParseEcho(response.Body);
        var headers = echo.GetProperty("headers");
        Assert.Equal("/echo/a b/c", echo.GetProperty("path").GetString());
        Assert.Equal("?x=1&y=2", echo.GetProperty("query").GetString());
        Assert.Equal("kept", headers.GetProperty("x-end-to-end").GetString());
        foreach (var gone in new[] { "x-hop", "keep-alive", "proxy-authorization", "te" })
        {
            Assert.False(headers.TryGetProperty(gone, out _), gone + " crossed the proxy: " + headers);
        }

        // The peer (127.0.0.1) is not a trusted proxy: the client's own forwarding claims are replaced, not appended to.
        Assert.Equal("127.0.0.1", headers.GetProperty("x-forwarded-for").GetString());
        Assert.Equal("for=127.0.0.1;proto=http;host=\"shop.example\"", headers.GetProperty("forwarded").GetString());
        Assert.Equal("http", headers.GetProperty("x-forwarded-proto").GetString());
        Assert.Equal("shop.example", headers.GetProperty("x-forwarded-host").GetString());
        Assert.Equal($"127.0.0.1:{upstream.Address.Port}", headers.GetProperty("host").GetString());
    }

    [Fact]
    public async Task A_trusted_proxy_s_forwarding_headers_are_appended_to()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var gateway = await TestGateway.StartAsync(TestGateway.Config(upstream.Address, extra: "\"TrustedProxies\": [ \"127.0.0.0/8\" ],"));
        using var client = gateway.Client();
        using var message = new HttpRequestMessage(HttpMethod.Get, "/echo/x");
        message.Headers.TryAddWithoutValidation("X-Forwarded-For", "203.0.113.9");
        message.Headers.TryAddWithoutValidation("Forwarded", "for=203.0.113.9;proto=https");
        message.Headers.TryAddWithoutValidation("X-Forwarded-Proto", "https");
        var echo = TestUpstream.ParseEcho(await (await client.SendAsync(message)).Content.ReadAsStringAsync());
        var headers = echo.GetProperty("headers");
        Assert.Equal("203.0.113.9, 127.0.0.1", headers.GetProperty("x-forwarded-for").GetString());
        Assert.StartsWith("for=203.0.113.9;proto=https, for=127.0.0.1;proto=http", headers.GetProperty("forwarded").GetString(), StringComparison.Ordinal);
        Assert.Equal("https", headers.GetProperty("x-forwarded-proto").GetString());
    }

    [Fact]
    public async Task A_json_body_the_engine_read_is_still_forwarded_whole_and_big_bodies_stream()
    {
        await using var upstream = await TestUpstream.StartAsync();
        var policies = """
            , "Routes": [ { "Name": "login", "Methods": [ "POST" ], "Path": "/echo/login", "Policy": "login" } ],
            "Policies": { "login": { "Limits": [ { "Name": "per-account", "Key": "account", "Rate": "2/min" } ] } }
            """;
        await using var gateway = await TestGateway.StartAsync(TestGateway.Config(upstream.Address, policies: policies));
        using var client = gateway.Client();
        const string json = """{"username":"alice@example.com","password":"pw"}""";
        var first = await client.PostAsync(new Uri("/echo/login", UriKind.Relative), new StringContent(json, Encoding.UTF8, "application/json"));
        var echo = TestUpstream.ParseEcho(await first.Content.ReadAsStringAsync());
        Assert.Equal(json, Encoding.UTF8.GetString(Convert.FromBase64String(echo.GetProperty("body").GetString()!)));
        Assert.Equal("application/json; charset=utf-8", echo.GetProperty("headers").GetProperty("content-type").GetString());

        // The account came from the body: a third login for the same account is limited, whatever the password.
        await client.PostAsync(new Uri("/echo/login", UriKind.Relative), new StringContent(json, Encoding.UTF8, "application/json"));
        var third = await client.PostAsync(new Uri("/echo/login", UriKind.Relative), new StringContent("""{"username":"alice@example.com"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);

        // 8 MiB, chunked (no Content-Length): streamed to the upstream, counted there.
        var big = RandomNumberGenerator.GetBytes(8 * 1024 * 1024);
        var content = new StreamContent(new MemoryStream(big));
        using var chunked = new HttpRequestMessage(HttpMethod.Post, "/count-body") { Content = content };
        chunked.Headers.TransferEncodingChunked = true;
        var counted = await client.SendAsync(chunked);
        Assert.Equal(HttpStatusCode.OK, counted.StatusCode);
        Assert.Equal(big.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), await counted.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Upstream_hop_by_hop_response_headers_are_dropped_and_statuses_relayed()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var gateway = await TestGateway.StartAsync(TestGateway.Config(upstream.Address));
        using var client = gateway.Client();
        var response = await client.GetAsync(new Uri("/status/418", UriKind.Relative));
        Assert.Equal((HttpStatusCode)418, response.StatusCode);
        Assert.Equal("yes", response.Headers.GetValues("X-Upstream").Single());
        Assert.False(response.Headers.Contains("Keep-Alive"));
        Assert.Equal("status 418", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_websocket_upgrade_is_relayed_to_a_real_echo_upstream()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var gateway = await TestGateway.StartAsync(TestGateway.Config(upstream.Address));
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{gateway.Address.Port}/ws"), CancellationToken.None);
        var buffer = new byte[4096];
        for (var i = 0; i < 3; i++)
        {
            var text = $"hello {i} " + new string('z', i * 1000);
            await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);
            var received = new StringBuilder();
            WebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(buffer, CancellationToken.None);
                received.Append(Encoding.UTF8.GetString(buffer, 0, result.Count));
            }
            while (!result.EndOfMessage);
            Assert.Equal(text, received.ToString());
        }

        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, socket.CloseStatus);
    }

    [Fact]
    public async Task Http2_clients_are_proxied_over_tls()
    {
        await using var upstream = await TestUpstream.StartAsync();
        var path = Path.Combine(Path.GetTempPath(), $"bulwark-test-cert-{Guid.NewGuid():N}.pfx");
        try
        {
            using var certificate = GatewayCertificates.LoadOrCreateSelfSigned(path, TimeProvider.System);
            await using var gateway = await TestGateway.StartAsync(TestGateway.Config(upstream.Address), "https://127.0.0.1:0", certificate);
            using var handler = new SocketsHttpHandler { UseProxy = false };
            handler.SslOptions.RemoteCertificateValidationCallback = (_, cert, _, _) => cert is not null && cert.GetCertHashString() == certificate.GetCertHashString();
            using var client = new HttpClient(handler) { BaseAddress = gateway.Address, DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
            var response = await client.PostAsync(new Uri("/echo/h2", UriKind.Relative), new StringContent("over h2"));
            Assert.Equal(HttpVersion.Version20, response.Version);
            var echo = TestUpstream.ParseEcho(await response.Content.ReadAsStringAsync());
            Assert.Equal("over h2", Encoding.UTF8.GetString(Convert.FromBase64String(echo.GetProperty("body").GetString()!)));
            Assert.Equal("https", echo.GetProperty("headers").GetProperty("x-forwarded-proto").GetString());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Keep_alive_connections_to_the_upstream_are_reused()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var gateway = await TestGateway.StartAsync(TestGateway.Config(upstream.Address));
        using var client = gateway.Client();
        var ports = new HashSet<int>();
        for (var i = 0; i < 20; i++)
        {
            var echo = TestUpstream.ParseEcho(await client.GetStringAsync(new Uri("/echo/reuse", UriKind.Relative)));
            ports.Add(echo.GetProperty("peer_port").GetInt32());
        }

        // Sequential requests: the gateway's pool reuses one upstream connection for all of them.
        Assert.Single(ports);
        Assert.Equal(20, upstream.Hits);
    }

    internal static async Task<(string Head, string Body)> ReadHttpResponseAsync(NetworkStream stream)
    {
        var buffer = new byte[1 << 16];
        var all = new MemoryStream();
        while (true)
        {
            var read = await stream.ReadAsync(buffer);
            if (read == 0)
            {
                break;
            }

            all.Write(buffer, 0, read);
            var text = Encoding.UTF8.GetString(all.ToArray());
            var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end < 0)
            {
                continue;
            }

            var head = text[..end];
            var lengthLine = head.Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
            if (lengthLine is not null)
            {
                var length = int.Parse(lengthLine["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
                if (all.Length - (end + 4) >= length)
                {
                    return (head, text.Substring(end + 4, length));
                }
            }
            else if (text.EndsWith("0\r\n\r\n", StringComparison.Ordinal))
            {
                return (head, Dechunk(text[(end + 4)..]));
            }
        }

        throw new InvalidOperationException("connection closed before a whole response");
    }

    private static string Dechunk(string chunked)
    {
        var output = new StringBuilder();
        var at = 0;
        while (true)
        {
            var lineEnd = chunked.IndexOf("\r\n", at, StringComparison.Ordinal);
            var size = Convert.ToInt32(chunked[at..lineEnd], 16);
            if (size == 0)
            {
                return output.ToString();
            }

            output.Append(chunked, lineEnd + 2, size);
            at = lineEnd + 2 + size + 2;
        }
    }
}
