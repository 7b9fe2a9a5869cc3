using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Bulwark.Gateway.Tests;

/// <summary>
/// A real Kestrel upstream on a free loopback port, with endpoints that misbehave on demand: echo, slow, reset, huge
/// bodies, any status, a WebSocket echo. Counts the requests it got.
/// </summary>
public sealed class TestUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _hits;

    private TestUpstream(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    public int Hits => Volatile.Read(ref _hits);

    /// <summary>Requests whose body the upstream saw cut short.</summary>
    public int BrokenBodies;

    public static async Task<TestUpstream> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = null);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        TestUpstream? self = null;
        app.Use((context, next) =>
        {
            Interlocked.Increment(ref self!._hits);
            return next(context);
        });
        app.UseWebSockets();
        app.Map("/echo/{**rest}", async (HttpContext context) =>
        {
            var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
            await context.Response.WriteAsJsonAsync(new
            {
                method = context.Request.Method,
                path = context.Request.Path.Value,
                query = context.Request.QueryString.Value,
                headers,
                body = Convert.ToBase64String(body.ToArray()),
                peer_port = context.Connection.RemotePort,
            });
        });
        app.Map("/count-body", async (HttpContext context) =>
        {
            var buffer = new byte[64 * 1024];
            long total = 0;
            try
            {
                int read;
                while ((read = await context.Request.Body.ReadAsync(buffer)) > 0)
                {
                    total += read;
                }
            }
            catch (Exception)
            {
                Interlocked.Increment(ref self!.BrokenBodies);
                throw;
            }

            await context.Response.WriteAsync(total.ToString(System.Globalization.CultureInfo.InvariantCulture));
        });
        app.MapGet("/slow", async (HttpContext context, int ms) =>
        {
            await Task.Delay(ms, context.RequestAborted);
            await context.Response.WriteAsync("slow done");
        });
        app.MapGet("/drip", async (HttpContext context, int ms) =>
        {
            await context.Response.StartAsync();
            for (var i = 0; i < 10; i++)
            {
                await context.Response.WriteAsync(i.ToString(System.Globalization.CultureInfo.InvariantCulture));
                await context.Response.Body.FlushAsync();
                await Task.Delay(ms / 10);
            }
        });
        app.MapGet("/reset", (HttpContext context) =>
        {
            context.Abort();
            return Task.CompletedTask;
        });
        app.MapGet("/reset-midway", async (HttpContext context) =>
        {
            context.Response.ContentLength = 1_000_000;
            await context.Response.Body.WriteAsync(new byte[10_000]);
            await context.Response.Body.FlushAsync();
            await Task.Delay(50);
            context.Abort();
        });
        app.MapGet("/huge", async (HttpContext context, long mb) =>
        {
            var chunk = new byte[64 * 1024];
            Array.Fill(chunk, (byte)'x');
            context.Response.ContentType = "application/octet-stream";
            context.Response.ContentLength = mb * 1024 * 1024;
            for (long sent = 0; sent < mb * 1024 * 1024; sent += chunk.Length)
            {
                await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
            }
        });
        app.Map("/status/{code:int}", (HttpContext context, int code) =>
        {
            context.Response.StatusCode = code;
            context.Response.Headers["Keep-Alive"] = "timeout=5";
            context.Response.Headers["X-Upstream"] = "yes";
            return context.Response.WriteAsync("status " + code);
        });
        app.Map("/ws", async (HttpContext context) =>
        {
            if (!context.WebSockets.IsWebSocketRequest)
            {
                context.Response.StatusCode = 400;
                return;
            }

            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            var buffer = new byte[4096];
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer, CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
                    return;
                }

                await socket.SendAsync(buffer.AsMemory(0, result.Count), result.MessageType, result.EndOfMessage, CancellationToken.None);
            }
        });
        await app.StartAsync();
        var address = new Uri(GatewayHost.Addresses(app).Single());
        self = new TestUpstream(app, address);
        return self;
    }

    public static JsonElement ParseEcho(string json) => JsonDocument.Parse(json).RootElement.Clone();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
