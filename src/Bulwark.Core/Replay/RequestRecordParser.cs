using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Bulwark.Core.Policy;

namespace Bulwark.Core.Replay;

/// <summary>
/// Parses request records (CONTRACTS.md §2): one JSON object per line; <c>ts</c>, <c>ip</c>, <c>method</c>, <c>path</c>
/// required; unknown members ignored; header member order kept as the client's order. A bad line yields an error that
/// names the member at fault, never an exception.
/// </summary>
public sealed class RequestRecordParser
{
    private readonly IdentityOptions _identity;

    /// <summary>Creates a parser that finds accounts in bodies the way the front doors do.</summary>
    public RequestRecordParser(IdentityOptions identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        _identity = identity;
    }

    /// <summary>Parses one line (UTF-8, without its newline).</summary>
    public bool TryParse(ReadOnlySpan<byte> line, long lineNumber, [NotNullWhen(true)] out RequestRecord? record, [NotNullWhen(false)] out string? error)
    {
        record = null;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line.ToArray());
        }
        catch (JsonException exception)
        {
            error = "not JSON: " + exception.Message;
            return false;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                error = "a record must be a JSON object";
                return false;
            }

            if (!TryString(root, "ts", required: true, out var ts, out error)
                || !TryString(root, "ip", required: true, out var ipText, out error)
                || !TryString(root, "method", required: true, out var method, out error)
                || !TryString(root, "path", required: true, out var path, out error)
                || !TryString(root, "query", required: false, out var query, out error)
                || !TryString(root, "api_key", required: false, out var apiKey, out error)
                || !TryString(root, "account", required: false, out var account, out error)
                || !TryString(root, "session", required: false, out var session, out error)
                || !TryString(root, "label", required: false, out var label, out error))
            {
                return false;
            }

            if (!DateTimeOffset.TryParse(ts, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var timestamp))
            {
                error = $"\"ts\": '{ts}' is not an RFC 3339 time, like 2026-11-21T10:00:00.123Z";
                return false;
            }

            var zone = ipText!.IndexOf('%', StringComparison.Ordinal);
            if (!IPAddress.TryParse(zone < 0 ? ipText : ipText[..zone], out var ip))
            {
                error = $"\"ip\": '{ipText}' is not an IPv4 or IPv6 address";
                return false;
            }

            if (!TryHeaders(root, out var headers, out error) || !TryTls(root, out var tls, out error))
            {
                return false;
            }

            int? status = null;
            if (root.TryGetProperty("status", out var statusElement) && statusElement.ValueKind != JsonValueKind.Null)
            {
                if (!statusElement.TryGetInt32(out var code) || code is < 100 or > 599)
                {
                    error = "\"status\" must be an HTTP status code from 100 to 599";
                    return false;
                }

                status = code;
            }

            double? latency = null;
            if (root.TryGetProperty("latency_ms", out var latencyElement) && latencyElement.ValueKind != JsonValueKind.Null)
            {
                if (!latencyElement.TryGetDouble(out var ms) || ms < 0)
                {
                    error = "\"latency_ms\" must be a number of milliseconds, 0 or more";
                    return false;
                }

                latency = ms;
            }

            JsonElement? body = root.TryGetProperty("body", out var bodyElement) && bodyElement.ValueKind != JsonValueKind.Null ? bodyElement.Clone() : null;
            if (account is null && body is { ValueKind: JsonValueKind.Object } json)
            {
                foreach (var field in _identity.AccountBodyFields)
                {
                    if (json.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text)
                    {
                        account = text;
                        break;
                    }
                }
            }

            var request = new RequestContext
            {
                Timestamp = timestamp.ToUniversalTime(),
                ClientIp = ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip,
                Method = method!.ToUpperInvariant(),
                Path = path!,
                Query = query,
                Headers = headers,
                Tls = tls,
                ApiKey = apiKey ?? NullIfEmpty(headers[_identity.ApiKeyHeader]),
                Account = account,
                Session = session ?? NullIfEmpty(headers[_identity.SessionHeader]),
                Body = body,
            };
            record = new RequestRecord(lineNumber, request, status, latency, label);
            error = null;
            return true;
        }
    }

    private static bool TryString(JsonElement root, string name, bool required, out string? value, [NotNullWhen(false)] out string? error)
    {
        value = null;
        error = null;
        if (!root.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                error = $"\"{name}\" is required";
                return false;
            }

            return true;
        }

        if (element.ValueKind != JsonValueKind.String)
        {
            error = $"\"{name}\" must be a string";
            return false;
        }

        value = element.GetString();
        if (required && string.IsNullOrEmpty(value))
        {
            error = $"\"{name}\" must not be empty";
            return false;
        }

        return true;
    }

    private static bool TryHeaders(JsonElement root, out HeaderList headers, [NotNullWhen(false)] out string? error)
    {
        headers = HeaderList.Empty;
        error = null;
        if (!root.TryGetProperty("headers", out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            error = "\"headers\" must be an object of header names to string values";
            return false;
        }

        var list = new List<KeyValuePair<string, string>>();
        foreach (var header in element.EnumerateObject())
        {
            if (header.Value.ValueKind != JsonValueKind.String)
            {
                error = $"\"headers\": the value of '{header.Name}' must be a string";
                return false;
            }

            list.Add(new(header.Name.ToLowerInvariant(), header.Value.GetString()!));
        }

        headers = new HeaderList([.. list]);
        return true;
    }

    private static bool TryTls(JsonElement root, out TlsFingerprints? tls, [NotNullWhen(false)] out string? error)
    {
        tls = null;
        error = null;
        if (!root.TryGetProperty("tls", out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (element.ValueKind != JsonValueKind.Object
            || !TryString(element, "ja4", required: false, out var ja4, out _)
            || !TryString(element, "ja3", required: false, out var ja3, out _))
        {
            error = "\"tls\" must be an object with string members \"ja4\" and \"ja3\"";
            return false;
        }

        tls = ja4 is null && ja3 is null ? null : new TlsFingerprints(ja4, ja3);
        return true;
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
