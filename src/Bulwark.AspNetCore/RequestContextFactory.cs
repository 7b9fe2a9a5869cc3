using System.Buffers;
using System.Net;
using System.Text.Json;
using Bulwark.Core;
using Bulwark.Core.Policy;
using Bulwark.Core.Schema;
using Microsoft.AspNetCore.Http;

namespace Bulwark.AspNetCore;

/// <summary>Builds the engine's <see cref="RequestContext"/> from an ASP.NET Core request.</summary>
public static class RequestContextFactory
{
    private const int MaxHeaders = 64;

    /// <summary>
    /// Reads identity, headers and (for JSON bodies within <see cref="IdentityOptions.MaxBodyBytes"/>) the body. The body is
    /// buffered and rewound so the application still reads it whole.
    /// </summary>
    public static async ValueTask<RequestContext> CreateAsync(HttpContext httpContext, CompiledConfiguration configuration, string? policyName, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        ArgumentNullException.ThrowIfNull(configuration);
        var request = httpContext.Request;
        var identity = configuration.Options.Identity;
        var (body, bodyState) = await ReadJsonBodyAsync(request, identity.MaxBodyBytes, httpContext.RequestAborted).ConfigureAwait(false);
        string? account = null;
        if (body is { ValueKind: JsonValueKind.Object } json)
        {
            foreach (var field in identity.AccountBodyFields)
            {
                if (json.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text)
                {
                    account = text;
                    break;
                }
            }
        }

        var session = request.Cookies[identity.SessionCookie];
        if (string.IsNullOrEmpty(session))
        {
            session = NullIfEmpty(request.Headers[identity.SessionHeader].ToString());
        }

        return new RequestContext
        {
            Timestamp = now,
            ClientIp = ResolveClientIp(httpContext, configuration),
            Method = request.Method,
            Path = request.Path.HasValue ? request.Path.Value! : "/",
            RouteTemplate = (httpContext.GetEndpoint() as Microsoft.AspNetCore.Routing.RouteEndpoint)?.RoutePattern.RawText,
            Query = request.QueryString.HasValue ? request.QueryString.Value![1..] : null,
            Headers = ReadHeaders(request.Headers),
            ApiKey = NullIfEmpty(request.Headers[identity.ApiKeyHeader].ToString()),
            Session = session,
            Account = account,
            Body = body,
            BodyState = bodyState,
            PolicyName = policyName,
        };
    }

    /// <summary>
    /// The client address: the socket peer, or — only when the peer is a configured trusted proxy — the address found by
    /// walking <c>Forwarded</c> / <c>X-Forwarded-For</c> right to left past trusted hops.
    /// </summary>
    public static IPAddress ResolveClientIp(HttpContext httpContext, CompiledConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        ArgumentNullException.ThrowIfNull(configuration);
        var peer = httpContext.Connection.RemoteIpAddress ?? IPAddress.IPv6Loopback;
        var headers = httpContext.Request.Headers;
        var forwardedFor = headers["X-Forwarded-For"];
        var forwarded = headers["Forwarded"];
        return configuration.ProxyResolver.Resolve(
            peer,
            forwardedFor.Count == 0 ? null : forwardedFor.ToString(),
            forwarded.Count == 0 ? null : forwarded.ToString());
    }

    // Kestrel's header collection keeps known headers in its own order, not the client's. The gateway (a later issue)
    // reads the true order from the raw bytes; here the order is Kestrel's.
    private static HeaderList ReadHeaders(IHeaderDictionary headers)
    {
        var count = Math.Min(headers.Count, MaxHeaders);
        if (count == 0)
        {
            return HeaderList.Empty;
        }

        var array = new KeyValuePair<string, string>[count];
        var i = 0;
        foreach (var header in headers)
        {
            if (i == count)
            {
                break;
            }

            array[i++] = new(header.Key.ToLowerInvariant(), header.Value.ToString());
        }

        return new HeaderList(array);
    }

    // The body is read once, here, for limits keyed on body fields and for schema validation (which needs to know why there
    // is no parsed body: none sent, not JSON, malformed, or too large).
    private static async ValueTask<(JsonElement? Body, RequestBodyState State)> ReadJsonBodyAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength == 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count == 0))
        {
            return (null, RequestBodyState.Empty);
        }

        if (!IsJsonContentType(request.ContentType))
        {
            return (null, RequestBodyState.NotJson);
        }

        if (maxBytes <= 0)
        {
            return (null, RequestBodyState.NotRead);
        }

        if (request.ContentLength is { } length && length > maxBytes)
        {
            return (null, RequestBodyState.TooLarge);
        }

        request.EnableBuffering(maxBytes + 1);
        var buffer = ArrayPool<byte>.Shared.Rent(maxBytes + 1);
        try
        {
            var read = 0;
            while (read <= maxBytes)
            {
                var n = await request.Body.ReadAsync(buffer.AsMemory(read, maxBytes + 1 - read), cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }

                read += n;
            }

            request.Body.Position = 0;
            if (read == 0)
            {
                return (null, RequestBodyState.Empty);
            }

            if (read > maxBytes)
            {
                return (null, RequestBodyState.TooLarge); // larger than we read: it passes unread unless a schema needs it
            }

            try
            {
                var reader = new Utf8JsonReader(buffer.AsSpan(0, read));
                var element = JsonElement.ParseValue(ref reader);
                return reader.Read() ? (null, RequestBodyState.InvalidJson) : (element, RequestBodyState.Parsed);
            }
            catch (JsonException)
            {
                return (null, RequestBodyState.InvalidJson); // the application (or schema validation) answers malformed JSON
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static bool IsJsonContentType(string? contentType) =>
        contentType is { } type
        && (type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) || type.Split(';')[0].Trim().EndsWith("+json", StringComparison.OrdinalIgnoreCase));

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
