using System.Buffers;
using System.Net;
using System.Text.Json;
using Bulwark.Core;
using Bulwark.Core.Policy;
using Bulwark.Core.Schema;
using Bulwark.AspNetCore.Identity;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Bulwark.AspNetCore;

/// <summary>Builds the engine's <see cref="RequestContext"/> from an ASP.NET Core request.</summary>
public static class RequestContextFactory
{
    private const int MaxHeaders = 64;

    /// <summary>
    /// Reads identity, headers and (for JSON bodies within <see cref="IdentityOptions.MaxBodyBytes"/>) the body. The body is
    /// buffered and rewound so the application still reads it whole. A front door that cannot see the body (the decision
    /// endpoint behind nginx or Caddy) passes <paramref name="unseenBody"/>: the body is then not read and that state stands.
    /// </summary>
    public static async ValueTask<RequestContext> CreateAsync(
        HttpContext httpContext, CompiledConfiguration configuration, string? policyName, DateTimeOffset now, RequestBodyState? unseenBody = null)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        ArgumentNullException.ThrowIfNull(configuration);
        var request = httpContext.Request;
        var identity = configuration.Options.Identity;
        var (body, bodyState) = unseenBody is { } unseen
            ? (null, unseen)
            : await ReadJsonBodyAsync(request, identity.MaxBodyBytes, httpContext.RequestAborted).ConfigureAwait(false);
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

        var clientIp = ResolveClientIp(httpContext, configuration);
        return new RequestContext
        {
            Timestamp = now,
            ClientIp = clientIp,
            Method = request.Method,
            Path = request.Path.HasValue ? request.Path.Value! : "/",
            RouteTemplate = (httpContext.GetEndpoint() as Microsoft.AspNetCore.Routing.RouteEndpoint)?.RoutePattern.RawText,
            Query = request.QueryString.HasValue ? request.QueryString.Value![1..] : null,
            Protocol = request.Protocol,
            Headers = ReadHeaders(httpContext),
            Tls = ReadTls(httpContext, configuration),
            ApiKey = NullIfEmpty(request.Headers[identity.ApiKeyHeader].ToString()),
            Session = session,
            Account = account,
            Body = body,
            BodyState = bodyState,
            PolicyName = policyName,
            ChallengePassed = Challenges.BulwarkChallenges.HasPass(httpContext, configuration, clientIp, now),
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

    /// <summary>
    /// The connection's TLS fingerprints from the Kestrel hook; or, when the socket peer is a trusted proxy that terminated
    /// TLS (a CDN or load balancer), from the headers <c>Fingerprints:Ja4Headers</c>/<c>Ja3Headers</c> name. Null otherwise.
    /// </summary>
    public static TlsFingerprints? ReadTls(HttpContext httpContext, CompiledConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        ArgumentNullException.ThrowIfNull(configuration);
        if (httpContext.Features.Get<IBulwarkClientIdentityFeature>()?.TlsFingerprints is { } tls)
        {
            return tls;
        }

        var peer = httpContext.Connection.RemoteIpAddress;
        if (peer is null || !configuration.ProxyResolver.IsTrusted(peer.IsIPv4MappedToIPv6 ? peer.MapToIPv4() : peer))
        {
            return null;
        }

        var fingerprints = configuration.Options.Fingerprints;
        var ja4 = FirstHeader(httpContext.Request.Headers, fingerprints.Ja4Headers);
        var ja3 = FirstHeader(httpContext.Request.Headers, fingerprints.Ja3Headers);
        return ja4 is null && ja3 is null ? null : new TlsFingerprints(ja4, ja3);
    }

    private static string? FirstHeader(IHeaderDictionary headers, IReadOnlyList<string> names)
    {
        foreach (var name in names)
        {
            if (headers[name].ToString() is { Length: > 0 and <= 128 } value)
            {
                return value.Trim();
            }
        }

        return null;
    }

    // Kestrel's header collection keeps known headers in its own order, not the client's. For HTTP/1.1 the connection
    // middleware (ClientIdentityKestrelExtensions) saw the head on the wire: its names give the order, Kestrel the values.
    // Without it (HTTP/2, or the middleware not installed) the order is Kestrel's, and the list says so.
    private static HeaderList ReadHeaders(HttpContext httpContext)
    {
        var headers = httpContext.Request.Headers;
        var count = Math.Min(headers.Count, MaxHeaders);
        if (count == 0)
        {
            return HeaderList.Empty;
        }

        var order = httpContext.Features.Get<IBulwarkClientIdentityFeature>() is { } identity
            && httpContext.Features.Get<IHttpRequestFeature>()?.RawTarget is { } target
            ? identity.TakeHeaderOrder(httpContext.Request.Method, target)
            : null;
        var array = new KeyValuePair<string, string>[count];
        var i = 0;
        if (order is not null)
        {
            foreach (var name in order)
            {
                if (i == count)
                {
                    break;
                }

                if (headers.TryGetValue(name, out var value) && !Contains(array.AsSpan(0, i), name))
                {
                    array[i++] = new(name, value.ToString());
                }
            }
        }

        // Headers the wire order did not name (none, unless something added headers after Kestrel parsed them).
        foreach (var header in headers)
        {
            if (i == count)
            {
                break;
            }

            var name = header.Key.ToLowerInvariant();
            if (order is null || !Contains(array.AsSpan(0, i), name))
            {
                array[i++] = new(name, header.Value.ToString());
            }
        }

        return new HeaderList(i == count ? array : array[..i]) { InClientOrder = order is not null };
    }

    private static bool Contains(ReadOnlySpan<KeyValuePair<string, string>> headers, string name)
    {
        foreach (var header in headers)
        {
            if (header.Key == name)
            {
                return true;
            }
        }

        return false;
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
