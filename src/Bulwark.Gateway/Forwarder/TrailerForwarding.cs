using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Bulwark.Gateway.Forwarder;

/// <summary>
/// HTTP trailers across the proxy (RFC 9110 §6.5). Response trailers — HTTP/2 trailing HEADERS or the trailer section of an
/// HTTP/1.1 chunked body, which SocketsHttpHandler collects in <see cref="HttpResponseMessage.TrailingHeaders"/> — are
/// appended to the client's response once the body has been relayed, when the client's protocol carries trailers (gRPC's
/// <c>grpc-status</c> lives there). <c>TE: trailers</c>, the one <c>TE</c> value that may cross a proxy, is passed on
/// when the client sent it and can receive trailers.
/// </summary>
/// <remarks>
/// Request trailers are read by Kestrel but cannot be forwarded: HttpClient has no API to send them (neither in an HTTP/1.1
/// chunked body nor as HTTP/2 trailing HEADERS), so the upstream gets the body without them (docs/gateway.md).
/// </remarks>
internal static class TrailerForwarding
{
    /// <summary>Adds <c>TE: trailers</c> to the upstream request when the client asked for trailers and can get them.</summary>
    public static void PrepareRequest(HttpContext context, HttpRequestMessage message)
    {
        if (context.Request.Headers.TE.Count == 0 || !context.Response.SupportsTrailers())
        {
            return;
        }

        foreach (var value in context.Request.Headers.TE)
        {
            if (value is not null && value.Contains("trailers", StringComparison.OrdinalIgnoreCase))
            {
                message.Headers.TryAddWithoutValidation("TE", "trailers");
                return;
            }
        }
    }

    /// <summary>
    /// Appends the upstream's trailers to the client's response. Call after the upstream body was read to its end (only
    /// then are they known). Returns how many trailer fields were relayed; 0 when there were none or the client's
    /// protocol has no trailers (Kestrel sends trailers on HTTP/2 and HTTP/3, not on HTTP/1.1).
    /// </summary>
    public static int CopyResponseTrailers(HttpResponse response, HttpResponseMessage upstream)
    {
        // Cheap checks first: TrailingHeaders creates an empty collection on first access, and an HTTP/1.x answer framed by
        // Content-Length has no trailer section.
        if (!response.SupportsTrailers() || (upstream.Version.Major < 2 && upstream.Content.Headers.ContentLength is not null)
            || upstream.TrailingHeaders is not { NonValidated.Count: > 0 } trailers)
        {
            return 0;
        }

        var copied = 0;
        foreach (var (name, values) in trailers)
        {
            if (name.Length == 0 || name[0] == ':' || HopByHopHeaders.IsHopByHop(name))
            {
                continue;
            }

            var array = values as string[] ?? values.ToArray();
            response.AppendTrailer(name, array.Length == 1 ? new StringValues(array[0]) : new StringValues(array));
            copied++;
        }

        return copied;
    }
}
