using System.Net;
using System.Text.Json;

namespace Bulwark.Core;

/// <summary>
/// Everything the engine knows about one request, fixed before the decision starts. Front doors (middleware, gateway,
/// decision endpoint, replay) build it; enrichers add facts to the evaluation, never to this object.
/// </summary>
public sealed class RequestContext
{
    /// <summary>When the request arrived. Limits and detectors use this, never the wall clock, so replay controls time.</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>The resolved client address (after trusted-proxy resolution), IPv4-mapped IPv6 already unwrapped.</summary>
    public required IPAddress ClientIp { get; init; }

    /// <summary>The HTTP method in upper case.</summary>
    public required string Method { get; init; }

    /// <summary>The concrete path, without the query string (for example <c>/api/products/17</c>).</summary>
    public required string Path { get; init; }

    /// <summary>The route template when the front door knows it (for example <c>/api/products/{id}</c>).</summary>
    public string? RouteTemplate { get; init; }

    /// <summary>The HTTP version as the request line or the server names it (<c>HTTP/1.1</c>, <c>HTTP/2</c>), or null when unknown.</summary>
    public string? Protocol { get; init; }

    /// <summary>The query string without the leading <c>?</c>, or null.</summary>
    public string? Query { get; init; }

    /// <summary>Selected request headers in the order the client sent them.</summary>
    public HeaderList Headers { get; init; } = HeaderList.Empty;

    /// <summary>The API key presented, if any.</summary>
    public string? ApiKey { get; init; }

    /// <summary>The account the request acts for (for example the username of a login attempt), if known.</summary>
    public string? Account { get; init; }

    /// <summary>The session identifier, if any.</summary>
    public string? Session { get; init; }

    /// <summary>TLS fingerprints of the connection, if known.</summary>
    public TlsFingerprints? Tls { get; init; }

    /// <summary>The parsed JSON body, when the policy needs body fields. Top-level members are what limits key on.</summary>
    public JsonElement? Body { get; init; }

    /// <summary>What the front door found in the body (parsed, empty, not JSON, too large); schema validation reads it.</summary>
    public Schema.RequestBodyState BodyState { get; init; }

    /// <summary>The policy to apply, when the front door already knows it (endpoint metadata). Overrides the route table.</summary>
    public string? PolicyName { get; init; }

    /// <summary>
    /// True when the front door verified a valid challenge pass (docs/challenge.md) for this client. The engine then lets a
    /// request through that only a challenge would have stopped (score or login-failure challenges); never a block, ban,
    /// limit or lockout.
    /// </summary>
    public bool ChallengePassed { get; init; }

    /// <summary>Reads a top-level string or number member of <see cref="Body"/>, or null.</summary>
    public string? GetBodyField(string name)
    {
        if (Body is not { ValueKind: JsonValueKind.Object } body || !body.TryGetProperty(name, out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => null,
        };
    }
}
