using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Bulwark.Gateway;

/// <summary>
/// The gateway's own refusals, when the engine allowed the request but the upstream cannot take it: 502 (upstream
/// failed), 503 with <c>Retry-After</c> (circuit open, queue full, shed, no destination), 504 (upstream too slow). Bodies
/// are RFC 9457 <c>application/problem+json</c> like every other refusal (CONTRACTS.md §4).
/// </summary>
internal static class GatewayProblems
{
    public static Task WriteAsync(HttpContext context, int status, string reason, string detail, string? decisionId, TimeSpan? retryAfter = null)
    {
        var response = context.Response;
        if (response.HasStarted)
        {
            context.Abort(); // too late for a status: cut the connection so the client sees the answer is incomplete
            return Task.CompletedTask;
        }

        response.Clear();
        response.StatusCode = status;
        response.Headers.CacheControl = "no-store";
        if (retryAfter is { } after)
        {
            response.Headers.RetryAfter = Math.Max(1, (long)Math.Ceiling(after.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        response.ContentType = "application/problem+json";
        using var stream = new MemoryStream(256);
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteString("type", "urn:bulwark:problem:" + reason);
            writer.WriteString("title", status switch
            {
                400 => "Bad Request",
                401 => "Unauthorized",
                403 => "Forbidden",
                404 => "Not Found",
                409 => "Conflict",
                413 => "Content Too Large",
                502 => "Bad Gateway",
                503 => "Service Unavailable",
                504 => "Gateway Timeout",
                _ => "Request failed",
            });
            writer.WriteNumber("status", status);
            writer.WriteString("detail", detail);
            writer.WriteString("decision_id", decisionId ?? "");
            writer.WriteString("reason", reason);
            if (retryAfter is { } r)
            {
                writer.WriteNumber("retry_after_s", Math.Max(1, (long)Math.Ceiling(r.TotalSeconds)));
            }

            writer.WriteEndObject();
        }

        return response.Body.WriteAsync(stream.ToArray(), context.RequestAborted).AsTask();
    }
}
