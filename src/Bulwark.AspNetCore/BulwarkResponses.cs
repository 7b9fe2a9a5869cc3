using System.Globalization;
using System.Net;
using System.Text.Json;
using Bulwark.Core.Decisions;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Bulwark.AspNetCore;

/// <summary>
/// Writes Bulwark's headers and refusals as CONTRACTS.md §4 says: <c>Retry-After</c>, the IETF <c>RateLimit</c> fields,
/// and RFC 9457 <c>application/problem+json</c> bodies that carry a decision id and a stable reason code, never the
/// detector that fired. Browsers asking for HTML get an HTML page for challenges and blocks.
/// </summary>
public static class BulwarkResponses
{
    /// <summary>Adds the <c>RateLimit-Policy</c> and <c>RateLimit</c> headers when the decision counted any limit.</summary>
    public static void ApplyRateLimitHeaders(HttpResponse response, Decision decision)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(decision);
        if (decision.Limits.Count == 0)
        {
            return;
        }

        response.Headers[RateLimitHeaders.PolicyHeader] = RateLimitHeaders.FormatPolicy(decision.Limits);
        response.Headers[RateLimitHeaders.LimitHeader] = RateLimitHeaders.FormatLimit(decision.Limits);
    }

    /// <summary>Sets the refusal's status and headers (no body yet), so a hook can still write its own body.</summary>
    public static void PrepareRefusal(HttpResponse response, Decision decision)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(decision);
        response.StatusCode = decision.StatusCode;
        response.Headers.CacheControl = "no-store";
        if (decision.RetryAfter is { } retryAfter)
        {
            response.Headers.RetryAfter = Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        ApplyRateLimitHeaders(response, decision);
    }

    /// <summary>Writes the refusal body: problem+json, or HTML for a browser (<c>Accept: text/html</c>).</summary>
    public static Task WriteRefusalBodyAsync(HttpContext httpContext, Decision decision)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        ArgumentNullException.ThrowIfNull(decision);
        var accept = httpContext.Request.Headers.Accept.ToString();
        var ticket = decision.ReasonCode == ReasonCodes.ChallengeRequired ? Challenges.BulwarkChallenges.Issue(httpContext) : null;
        if (accept.Contains("text/html", StringComparison.OrdinalIgnoreCase) && decision.StatusCode != 429 && decision.Schema is null)
        {
            httpContext.Response.ContentType = "text/html; charset=utf-8";
            var page = ticket is null
                ? HtmlPage(decision)
                : Challenges.ChallengePage.Render(Title(decision.StatusCode), Detail(decision), decision.Id, ticket,
                    reload: HttpMethods.IsGet(httpContext.Request.Method) || HttpMethods.IsHead(httpContext.Request.Method));
            return httpContext.Response.WriteAsync(page, httpContext.RequestAborted);
        }

        httpContext.Response.ContentType = "application/problem+json";
        return httpContext.Response.Body.WriteAsync(ProblemJson(decision, ticket), httpContext.RequestAborted).AsTask();
    }

    /// <summary>The RFC 9457 body for a refusal.</summary>
    public static byte[] ProblemJson(Decision decision) => ProblemJson(decision, null);

    /// <summary>
    /// The RFC 9457 body for a refusal; with a <paramref name="challenge"/>, a <c>challenge</c> member says how to solve it
    /// (docs/challenge.md).
    /// </summary>
    public static byte[] ProblemJson(Decision decision, Challenges.ChallengeTicket? challenge)
    {
        ArgumentNullException.ThrowIfNull(decision);
        using var stream = new MemoryStream(256);
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteString("type", "urn:bulwark:problem:" + decision.ReasonCode);
            writer.WriteString("title", Title(decision.StatusCode));
            writer.WriteNumber("status", decision.StatusCode);
            writer.WriteString("detail", Detail(decision));
            writer.WriteString("decision_id", decision.Id);
            writer.WriteString("reason", decision.ReasonCode);
            if (decision.RetryAfter is { } retryAfter)
            {
                writer.WriteNumber("retry_after_s", Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds)));
            }

            if (decision.Schema is { Pointer: { } pointer } violation)
            {
                // What is wrong with the request is the client's to know: the first failing value and why (docs/schema.md).
                writer.WriteStartArray("errors");
                writer.WriteStartObject();
                writer.WriteString("pointer", pointer);
                writer.WriteString("detail", violation.Detail);
                writer.WriteEndObject();
                writer.WriteEndArray();
            }

            if (challenge is not null)
            {
                writer.WriteStartObject("challenge");
                writer.WriteString("algorithm", Challenges.BulwarkChallenges.Algorithm);
                writer.WriteString("challenge", challenge.Challenge);
                writer.WriteNumber("difficulty", challenge.Difficulty);
                writer.WriteString("verify_url", challenge.VerifyPath);
                writer.WriteString("expires", challenge.Expires.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        return stream.ToArray();
    }

    private static string Title(int status) => status switch
    {
        400 => "Bad Request",
        401 => "Challenge required",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        413 => "Content Too Large",
        429 => "Too Many Requests",
        503 => "Service Unavailable",
        _ => "Request refused",
    };

    // One fixed sentence per reason code: says what the client can do, not what we detected.
    private static string Detail(Decision decision) => decision.ReasonCode switch
    {
        ReasonCodes.RateLimited => "Too many requests. Wait before retrying; the Retry-After header says how long.",
        ReasonCodes.ConcurrencyLimited => "Too many requests in progress. Wait for earlier requests to finish.",
        ReasonCodes.Denied => "This client is not allowed to use this API.",
        ReasonCodes.Banned => "This client is temporarily blocked.",
        ReasonCodes.ChallengeRequired => "This request needs a challenge to be solved before it can proceed.",
        ReasonCodes.HighRisk => "This request was refused by the API's abuse protection.",
        ReasonCodes.Unavailable => "The service cannot check this request right now. Retry later.",
        ReasonCodes.LoginLocked => "Too many failed sign-ins for this account. Wait before retrying; the Retry-After header says how long.",
        ReasonCodes.SchemaInvalid when decision.Schema is { Pointer: { } pointer } violation => $"{pointer} {violation.Detail}.",
        ReasonCodes.SchemaInvalid => "The request does not match the API's description.",
        ReasonCodes.SchemaUndefinedRoute => "The API does not define this path.",
        ReasonCodes.SchemaMethodNotAllowed => "The API does not define this method for this path.",
        ReasonCodes.BodyTooLarge => "The request body is larger than this API accepts.",
        _ => "This request was refused.",
    };

    private static string HtmlPage(Decision decision)
    {
        var title = WebUtility.HtmlEncode(Title(decision.StatusCode));
        var detail = WebUtility.HtmlEncode(Detail(decision));
        var id = WebUtility.HtmlEncode(decision.Id);
        return $$"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{{title}}</title>
            <style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#222}code{background:#eee;padding:0 .3rem}</style>
            </head><body><h1>{{title}}</h1><p>{{detail}}</p><p>Reference: <code>{{id}}</code></p></body></html>
            """;
    }
}
