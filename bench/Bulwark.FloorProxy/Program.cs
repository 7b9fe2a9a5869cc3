// The floor of the gateway benchmark: a reverse proxy on Kestrel and SocketsHttpHandler with none of Bulwark (no
// decision, no route table, no guard, breaker, metrics or forwarding headers). It does what any proxy on this stack
// must: parse the request, copy its method, path and end-to-end headers into an HttpRequestMessage, send it over a
// pooled keep-alive connection, copy the status and headers back and stream the body. scripts/bench-gateway.sh runs it
// beside nginx and the gateway: floor / nginx is what Kestrel + SocketsHttpHandler allow on the machine, gateway / floor
// what Bulwark costs on top.
//   bulwark-floorproxy --urls http://127.0.0.1:PORT --upstream http://127.0.0.1:PORT
//   bulwark-floorproxy --urls http://127.0.0.1:PORT --answer     (answers 200 "ok" itself, as the nginx upstream of the
//     benchmark does: what Kestrel alone costs per request, the floor under any proxy built on it)
//   bulwark-floorproxy --urls http://127.0.0.1:PORT --upstream http://127.0.0.1:PORT --raw-client   (forwards with
//     RawHttp1Client, a minimal hand-written HTTP/1.1 client, instead of SocketsHttpHandler: what that handler costs)
// scripts/bench-floor.sh runs the three modes beside nginx.
using System.Net;
using Bulwark.FloorProxy;

var answer = args.Contains("--answer");
var upstream = answer ? null : new Uri(args.SkipWhile(a => a != "--upstream").Skip(1).FirstOrDefault()
    ?? throw new ArgumentException("--upstream URL or --answer is required (the origin to forward to, e.g. http://127.0.0.1:8081)"));
Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS",
    Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") ?? "1"); // as bulwark serve does

var raw = upstream is null || !args.Contains("--raw-client") ? null
    : new RawHttp1Client(new IPEndPoint(IPAddress.Parse(upstream.Host), upstream.Port));
var builder = WebApplication.CreateSlimBuilder(args.Where(a => a is not ("--answer" or "--raw-client")).ToArray());
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
var app = builder.Build();

using var invoker = new HttpMessageInvoker(new SocketsHttpHandler
{
    UseProxy = false,
    AllowAutoRedirect = false,
    AutomaticDecompression = DecompressionMethods.None,
    UseCookies = false,
    ActivityHeadersPropagator = null,
}, disposeHandler: true);

app.Run(async context =>
{
    if (upstream is null)
    {
        context.Response.ContentLength = 2;
        await context.Response.Body.WriteAsync(Ok, context.RequestAborted);
        return;
    }

    if (raw is not null)
    {
        await raw.ForwardAsync(context);
        return;
    }

    var request = context.Request;
    using var message = new HttpRequestMessage(new HttpMethod(request.Method), new Uri(upstream, request.Path.Value + request.QueryString.Value))
    {
        Version = HttpVersion.Version11,
        VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
    };
    if (request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0)
    {
        message.Content = new StreamContent(request.Body);
    }

    foreach (var header in request.Headers)
    {
        if (IsHopByHop(header.Key) || header.Key.Equals("Host", StringComparison.OrdinalIgnoreCase))
        {
            continue;
        }

        if (!message.Headers.TryAddWithoutValidation(header.Key, (IEnumerable<string?>)header.Value) && message.Content is not null)
        {
            message.Content.Headers.TryAddWithoutValidation(header.Key, (IEnumerable<string?>)header.Value);
        }
    }

    using var response = await invoker.SendAsync(message, context.RequestAborted);
    context.Response.StatusCode = (int)response.StatusCode;
    foreach (var header in response.Headers)
    {
        if (!IsHopByHop(header.Key))
        {
            context.Response.Headers[header.Key] = header.Value.ToArray();
        }
    }

    foreach (var header in response.Content.Headers)
    {
        context.Response.Headers[header.Key] = header.Value.ToArray();
    }

    await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
});

await app.RunAsync();

static bool IsHopByHop(string name) =>
    name.Equals("Connection", StringComparison.OrdinalIgnoreCase) || name.Equals("Keep-Alive", StringComparison.OrdinalIgnoreCase)
    || name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase) || name.Equals("Upgrade", StringComparison.OrdinalIgnoreCase)
    || name.Equals("Proxy-Connection", StringComparison.OrdinalIgnoreCase) || name.Equals("TE", StringComparison.OrdinalIgnoreCase)
    || name.Equals("Trailer", StringComparison.OrdinalIgnoreCase);

/// <summary>The fixed answer of <c>--answer</c>, the nginx upstream's 2-byte body.</summary>
internal static partial class Program
{
    private static readonly byte[] Ok = "ok"u8.ToArray();
}
