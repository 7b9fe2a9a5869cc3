using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace Bulwark.Gateway.Tests.Forwarder;

/// <summary>
/// HTTP trailers through the gateway: an HTTP/2 (h2c) Kestrel upstream answering like gRPC (<c>grpc-status</c> in the
/// trailers) and an HTTP/1.1 upstream ending a chunked body with a trailer section, both read by an HttpClient speaking
/// HTTP/2 to the gateway over TLS; a chunked request with trailers still reaches the upstream whole.
/// </summary>
public sealed class TrailerTests
{
    [Fact]
    public async Task Response_trailers_of_an_http2_upstream_reach_an_http2_client_like_grpc_status()
    {
        await using var upstream = await StartH2UpstreamAsync();
        await WithTlsGatewayAsync(TestGateway.Config(upstream.Address, cluster: ", \"HttpVersion\": \"2\""), async (gateway, client) =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/grpc/Echo") { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
            request.Headers.TE.ParseAdd("trailers");
            request.Content = new ByteArrayContent(new byte[] { 0, 0, 0, 0, 3, 1, 2, 3 });
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/grpc");
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(HttpVersion.Version20, response.Version);
            Assert.Equal("HTTP/2", response.Headers.GetValues("X-Upstream-Protocol").Single()); // h2c to the upstream
            Assert.Equal("trailers", response.Headers.GetValues("X-Upstream-TE").Single()); // TE: trailers crossed the proxy
            var body = await response.Content.ReadAsByteArrayAsync();
            Assert.Equal(new byte[] { 0, 0, 0, 0, 3, 1, 2, 3, 0, 0, 0, 0, 1, 42 }, body);
            Assert.Equal("0", response.TrailingHeaders.GetValues("grpc-status").Single());
            Assert.Equal("all good", response.TrailingHeaders.GetValues("grpc-message").Single());
            Assert.Equal(["a", "b"], response.TrailingHeaders.GetValues("x-multi").ToArray());
        });
    }

    [Fact]
    public async Task A_grpc_error_in_the_trailers_is_relayed_and_an_answer_without_trailers_has_none()
    {
        await using var upstream = await StartH2UpstreamAsync();
        await WithTlsGatewayAsync(TestGateway.Config(upstream.Address, cluster: ", \"HttpVersion\": \"2\""), async (gateway, client) =>
        {
            using var failing = new HttpRequestMessage(HttpMethod.Post, "/grpc/Fail")
            {
                Version = HttpVersion.Version20,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact,
                Content = new ByteArrayContent([]),
            };
            using var failed = await client.SendAsync(failing);
            Assert.Equal(HttpStatusCode.OK, failed.StatusCode); // gRPC reports errors in the trailers, not the status
            Assert.Equal("5", failed.TrailingHeaders.GetValues("grpc-status").Single());
            Assert.Equal("not found", failed.TrailingHeaders.GetValues("grpc-message").Single());

            using var plain = await client.GetAsync(new Uri("/plain", UriKind.Relative));
            Assert.Equal("no trailers here", await plain.Content.ReadAsStringAsync());
            Assert.Empty(plain.TrailingHeaders);
        });
    }

    [Fact]
    public async Task The_trailer_section_of_an_http11_chunked_upstream_answer_reaches_an_http2_client()
    {
        await using var upstream = ChunkedTrailerUpstream.Start();
        await WithTlsGatewayAsync(TestGateway.Config(upstream.Address), async (gateway, client) =>
        {
            using var response = await client.GetAsync(new Uri("/chunked", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("hello world", await response.Content.ReadAsStringAsync());
            Assert.Equal("sha256=abc", response.TrailingHeaders.GetValues("X-Checksum").Single());
            Assert.False(response.TrailingHeaders.Contains("Connection")); // hop-by-hop fields never cross, trailers included
        });
    }

    [Fact]
    public async Task An_http11_client_gets_the_whole_body_but_no_trailers_because_kestrel_sends_none_on_http11()
    {
        await using var upstream = ChunkedTrailerUpstream.Start();
        await using var gateway = await TestGateway.StartAsync(TestGateway.Config(upstream.Address));
        using var client = gateway.Client();
        using var response = await client.GetAsync(new Uri("/chunked", UriKind.Relative));
        Assert.Equal(HttpVersion.Version11, response.Version);
        Assert.Equal("hello world", await response.Content.ReadAsStringAsync());
        Assert.Empty(response.TrailingHeaders);
    }

    [Fact]
    public async Task A_chunked_request_with_trailers_reaches_the_upstream_with_its_whole_body()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var gateway = await TestGateway.StartAsync(TestGateway.Config(upstream.Address));
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, gateway.Address.Port);
        var stream = tcp.GetStream();
        var request = "POST /echo/trailers HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\nTrailer: X-Request-Sum\r\nConnection: close\r\n\r\n"
            + "5\r\nhello\r\n6\r\n world\r\n0\r\nX-Request-Sum: 42\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var reader = new StreamReader(stream, Encoding.ASCII);
        var answer = await reader.ReadToEndAsync();
        Assert.StartsWith("HTTP/1.1 200", answer, StringComparison.Ordinal);
        var json = answer[answer.IndexOf('{', StringComparison.Ordinal)..answer.LastIndexOf('}')] + "}";
        var echo = TestUpstream.ParseEcho(json);
        Assert.Equal("hello world", Encoding.UTF8.GetString(Convert.FromBase64String(echo.GetProperty("body").GetString()!)));

        // HttpClient cannot send request trailers, so they end at the gateway; they never turn into headers either.
        Assert.False(echo.GetProperty("headers").TryGetProperty("x-request-sum", out _));
    }

    private static Task WithTlsGatewayAsync(string config, Func<TestGateway, HttpClient, Task> test) =>
        TestGateway.WithTlsAsync(config, async (gateway, handler) =>
        {
            using var client = new HttpClient(handler, disposeHandler: false)
            {
                BaseAddress = gateway.Address,
                DefaultRequestVersion = HttpVersion.Version20,
                DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
                Timeout = TimeSpan.FromSeconds(60),
            };
            await test(gateway, client);
        });

    /// <summary>A Kestrel upstream speaking HTTP/2 only on cleartext (h2c with prior knowledge), answering like a gRPC service.</summary>
    private static async Task<RunningApp> StartH2UpstreamAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapPost("/grpc/Echo", async (HttpContext context) =>
        {
            context.Response.ContentType = "application/grpc";
            context.Response.Headers["X-Upstream-Protocol"] = context.Request.Protocol;
            context.Response.Headers["X-Upstream-TE"] = context.Request.Headers.TE.ToString();
            var received = new MemoryStream();
            await context.Request.Body.CopyToAsync(received);
            await context.Response.Body.WriteAsync(received.ToArray());
            await context.Response.Body.FlushAsync(); // streamed in two parts, the trailers after both
            await context.Response.Body.WriteAsync(new byte[] { 0, 0, 0, 0, 1, 42 });
            context.Response.AppendTrailer("grpc-status", "0");
            context.Response.AppendTrailer("grpc-message", "all good");
            context.Response.AppendTrailer("x-multi", new Microsoft.Extensions.Primitives.StringValues(["a", "b"]));
        });
        app.MapPost("/grpc/Fail", (HttpContext context) =>
        {
            context.Response.ContentType = "application/grpc";
            context.Response.AppendTrailer("grpc-status", "5");
            context.Response.AppendTrailer("grpc-message", "not found");
            return context.Response.Body.FlushAsync();
        });
        app.MapGet("/plain", () => "no trailers here");
        await app.StartAsync();
        return new RunningApp(app);
    }

    /// <summary>
    /// An HTTP/1.1 server on a loopback socket that ends its chunked answers with a trailer section (Kestrel does not send
    /// trailers on HTTP/1.1, so this one is written by hand): one answer per connection.
    /// </summary>
    private sealed class ChunkedTrailerUpstream : IAsyncDisposable
    {
        private readonly TcpListener _listener;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;

        private ChunkedTrailerUpstream(TcpListener listener)
        {
            _listener = listener;
            Address = new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}");
            _loop = AcceptLoopAsync();
        }

        public Uri Address { get; }

        public static ChunkedTrailerUpstream Start()
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return new ChunkedTrailerUpstream(listener);
        }

        private async Task AcceptLoopAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient connection;
                try
                {
                    connection = await _listener.AcceptTcpClientAsync(_stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                _ = ServeAsync(connection);
            }
        }

        private static async Task ServeAsync(TcpClient connection)
        {
            using (connection)
            {
                var stream = connection.GetStream();
                var buffer = new byte[8192];
                var head = new StringBuilder();
                while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    var read = await stream.ReadAsync(buffer);
                    if (read == 0)
                    {
                        return;
                    }

                    head.Append(Encoding.ASCII.GetString(buffer, 0, read));
                }

                const string answer = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\nTrailer: X-Checksum\r\nConnection: close\r\n\r\n"
                    + "6\r\nhello \r\n5\r\nworld\r\n0\r\nX-Checksum: sha256=abc\r\nConnection: x-bogus\r\n\r\n";
                await stream.WriteAsync(Encoding.ASCII.GetBytes(answer));
                await stream.FlushAsync();
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _loop;
            _stop.Dispose();
        }
    }
}
