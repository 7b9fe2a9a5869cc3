using Bulwark.Core.Schema;
using Microsoft.AspNetCore.Http;

namespace Bulwark.Gateway.Decisions;

/// <summary>
/// What the decision endpoint can know about the original request's body. nginx's <c>auth_request</c> (the sample sets
/// <c>proxy_pass_request_body off</c> and clears <c>Content-Length</c>) and Caddy's <c>forward_auth</c> send a bodiless
/// GET that keeps the original <c>Content-Type</c> but drops <c>Content-Length</c> and the body. So:
/// <list type="bullet">
/// <item>a subrequest that does carry a body (a proxy configured to forward it, such as Traefik's <c>forwardBody</c>) is
/// read like any request: size, JSON and schema checks all apply;</item>
/// <item>otherwise a non-JSON <c>Content-Type</c> is <see cref="RequestBodyState.NotJson"/>, so operations that accept only
/// JSON refuse it as the gateway would;</item>
/// <item>and anything else is <see cref="RequestBodyState.NotRead"/>: body checks are skipped — never "empty", which would
/// refuse every request whose operation requires a body.</item>
/// </list>
/// </summary>
internal static class ForwardedBody
{
    /// <summary>The body state to decide with when the subrequest carries no body; null when it does (read it).</summary>
    public static RequestBodyState? UnseenState(HttpRequest request)
    {
        if (request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            return null;
        }

        var contentType = request.ContentType;
        return string.IsNullOrWhiteSpace(contentType) || IsJson(contentType) ? RequestBodyState.NotRead : RequestBodyState.NotJson;
    }

    // The same test as RequestContextFactory's: application/json or any +json media type.
    private static bool IsJson(string contentType)
    {
        var mediaType = contentType.Split(';')[0].Trim();
        return mediaType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase);
    }
}
