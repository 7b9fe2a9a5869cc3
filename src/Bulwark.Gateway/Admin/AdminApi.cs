using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Bulwark.Core;
using Bulwark.Core.Lists;
using Bulwark.Core.Policy;
using Bulwark.Gateway.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Bulwark.Gateway.Admin;

/// <summary>
/// A minimal admin API under <c>/.bulwark/admin/</c> (CONTRACTS.md §4): bearer tokens with roles (viewer &lt; operator
/// &lt; admin), loopback peers only unless <c>Gateway:Admin:AllowRemote</c>. Off (404) until a token is configured.
/// <c>GET status</c> and <c>GET bans</c> need viewer; <c>POST bans</c> and <c>DELETE bans</c> need operator.
/// </summary>
internal sealed partial class AdminApi(GatewayOptions gateway, BulwarkEngine engine, GatewayRouteTable routes, TimeProvider time, ILogger<AdminApi> logger)
{
    // Weakest first, as Gateway:Admin:Tokens[i]:Role names them (the reader checks the names).
    private static readonly string[] Roles = ["viewer", "operator", "admin"];

    private readonly (string Name, int Role, byte[] Hash)[] _tokens = gateway.Admin.Tokens
        .Select(t => (t.Name, Array.IndexOf(Roles, t.Role), Convert.FromHexString(t.Sha256)))
        .ToArray();

    public Task StatusAsync(HttpContext context) => Guarded(context, 0, () => Json(context, 200, writer =>
    {
        writer.WriteString("mode", engine.Configuration.Options.Mode);
        writer.WriteNumber("bans", engine.Bans.Count);
        writer.WriteStartArray("clusters");
        foreach (var cluster in routes.Clusters.Values)
        {
            writer.WriteStartObject();
            writer.WriteString("name", cluster.Name);
            writer.WriteNumber("inflight", cluster.Guard.InFlight);
            writer.WriteNumber("queued", cluster.Guard.Queued);
            writer.WriteBoolean("has_destinations", cluster.HasDestinations);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }));

    public Task ListBansAsync(HttpContext context) => Guarded(context, 0, () => Json(context, 200, writer =>
    {
        writer.WriteStartArray("bans");
        foreach (var ban in engine.Bans.List(time.GetUtcNow()))
        {
            WriteBan(writer, ban);
        }

        writer.WriteEndArray();
    }));

    public Task AddBanAsync(HttpContext context) => Guarded(context, 1, async () =>
    {
        JsonElement body;
        try
        {
            body = (await JsonDocument.ParseAsync(context.Request.Body, default, context.RequestAborted).ConfigureAwait(false)).RootElement;
        }
        catch (JsonException)
        {
            await Problem(context, 400, "The body is not JSON: send {\"target\":\"ip\",\"value\":\"203.0.113.7\",\"ttl_s\":3600,\"reason\":\"…\"}.").ConfigureAwait(false);
            return;
        }

        if (!TryTarget(body.TryGetProperty("target", out var t) ? t.GetString() : null, out var target)
            || !body.TryGetProperty("value", out var v) || v.ValueKind != JsonValueKind.String
            || !body.TryGetProperty("ttl_s", out var ttl) || !ttl.TryGetInt32(out var seconds) || seconds <= 0)
        {
            await Problem(context, 400, "Send target (ip, api_key, account, fingerprint), value and a positive ttl_s.").ConfigureAwait(false);
            return;
        }

        var reason = body.TryGetProperty("reason", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString()! : "admin";
        Ban? ban;
        try
        {
            if (!engine.Bans.TryAdd(target, v.GetString()!, TimeSpan.FromSeconds(seconds), reason, time.GetUtcNow(), out ban))
            {
                await Problem(context, 409, "The ban list is full.").ConfigureAwait(false);
                return;
            }
        }
        catch (ArgumentException exception)
        {
            await Problem(context, 400, exception.Message).ConfigureAwait(false);
            return;
        }

        LogBanned(logger, TokenName(context), ban.Target.ToString(), ban.ExpiresAt);
        await Json(context, 201, writer =>
        {
            writer.WritePropertyName("ban");
            WriteBan(writer, ban);
        }).ConfigureAwait(false);
    });

    public Task RemoveBanAsync(HttpContext context) => Guarded(context, 1, async () =>
    {
        if (!TryTarget(context.Request.Query["target"], out var target) || context.Request.Query["value"].ToString() is not { Length: > 0 } value)
        {
            await Problem(context, 400, "Give ?target=ip|api_key|account|fingerprint&value=….").ConfigureAwait(false);
            return;
        }

        context.Response.StatusCode = engine.Bans.Remove(target, value) ? 204 : 404;
    });

    private async Task Guarded(HttpContext context, int role, Func<Task> action)
    {
        context.Response.Headers.CacheControl = "no-store";
        if (_tokens.Length == 0)
        {
            context.Response.StatusCode = 404;
            return;
        }

        var peer = context.Connection.RemoteIpAddress;
        if (!gateway.Admin.AllowRemote && (peer is null || !IPAddress.IsLoopback(peer.IsIPv4MappedToIPv6 ? peer.MapToIPv4() : peer)))
        {
            await Problem(context, 403, "The admin API answers loopback clients only (Gateway:Admin:AllowRemote).").ConfigureAwait(false);
            return;
        }

        var authorization = context.Request.Headers.Authorization.ToString();
        var found = -1;
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var hash = SHA256.HashData(Encoding.UTF8.GetBytes(authorization["Bearer ".Length..].Trim()));
            for (var i = 0; i < _tokens.Length; i++)
            {
                if (CryptographicOperations.FixedTimeEquals(hash, _tokens[i].Hash))
                {
                    found = i;
                }
            }
        }

        if (found < 0)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer realm=\"bulwark-admin\"";
            await Problem(context, 401, "Send an admin token: Authorization: Bearer <token>.").ConfigureAwait(false);
            return;
        }

        if (_tokens[found].Role < role)
        {
            await Problem(context, 403, $"This needs the {Roles[role]} role.").ConfigureAwait(false);
            return;
        }

        context.Items[typeof(AdminApi)] = _tokens[found].Name;
        await action().ConfigureAwait(false);
    }

    private static string TokenName(HttpContext context) => context.Items[typeof(AdminApi)] as string ?? "";

    private static bool TryTarget(string? text, out BanTarget target)
    {
        target = text switch
        {
            "ip" => BanTarget.Ip,
            "api_key" => BanTarget.ApiKey,
            "account" => BanTarget.Account,
            "fingerprint" => BanTarget.Fingerprint,
            _ => (BanTarget)(-1),
        };
        return (int)target >= 0;
    }

    private static void WriteBan(Utf8JsonWriter writer, Ban ban)
    {
        writer.WriteStartObject();
        writer.WriteString("target", ban.Target switch { BanTarget.Ip => "ip", BanTarget.ApiKey => "api_key", BanTarget.Account => "account", _ => "fingerprint" });
        writer.WriteString("value", ban.Value);
        writer.WriteString("created_at", ban.CreatedAt);
        writer.WriteString("expires_at", ban.ExpiresAt);
        writer.WriteString("reason", ban.Reason);
        writer.WriteEndObject();
    }

    private static async Task Json(HttpContext context, int status, Action<Utf8JsonWriter> write)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        await context.Response.Body.WriteAsync(stream.ToArray(), context.RequestAborted).ConfigureAwait(false);
    }

    private static Task Problem(HttpContext context, int status, string detail) =>
        GatewayProblems.WriteAsync(context, status, status switch { 401 => "unauthorized", 403 => "forbidden", 404 => "not_found", 409 => "conflict", _ => "bad_request" }, detail, null);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "Bulwark admin: token {Token} banned a {Target} until {ExpiresAt}")]
    private static partial void LogBanned(ILogger logger, string token, string target, DateTimeOffset expiresAt);
}
