using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Bulwark.Core.Policy;

namespace Bulwark.Core.Replay;

/// <summary>
/// Parses request records (CONTRACTS.md §2): one JSON object per line; <c>ts</c>, <c>ip</c>, <c>method</c>, <c>path</c>
/// required; unknown members ignored; header member order kept as the client's order. A bad line yields an error that
/// names the member at fault, never an exception. Reads the line once with <see cref="Utf8JsonReader"/>; only a
/// <c>body</c> becomes a <see cref="JsonElement"/>. Not thread-safe (it reuses a header buffer): one parser per input.
/// </summary>
public sealed class RequestRecordParser : IRequestRecordParser
{
    private readonly IdentityOptions _identity;
    private const int MaxSharedValues = 4_096;
    private const int MaxSharedValueLength = 256;

    private readonly List<KeyValuePair<string, string>> _headers = new(8);

    // Header values repeat across records (a user agent, an accept header): the first 4,096 distinct ones up to 256
    // characters are kept and shared rather than allocated again, at most 2 MiB.
    private readonly Dictionary<string, string> _sharedValues = new(StringComparer.Ordinal);
    private string? _lastLabel;

    /// <summary>Creates a parser that finds accounts in bodies the way the front doors do.</summary>
    public RequestRecordParser(IdentityOptions identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        _identity = identity;
    }

    /// <inheritdoc />
    public bool TryParse(ReadOnlySpan<byte> line, long lineNumber, [NotNullWhen(true)] out RequestRecord? record, [NotNullWhen(false)] out string? error)
    {
        record = null;
        try
        {
            return TryParseCore(line, lineNumber, out record, out error);
        }
        catch (JsonException exception)
        {
            error = "not JSON: " + exception.Message;
            return false;
        }
        catch (InvalidOperationException exception)
        {
            // A number where a string is expected and the like: the reader's own message names the token.
            error = "not a request record: " + exception.Message;
            return false;
        }
    }

    private bool TryParseCore(ReadOnlySpan<byte> line, long lineNumber, out RequestRecord? record, out string? error)
    {
        record = null;
        var reader = new Utf8JsonReader(line, new JsonReaderOptions { MaxDepth = 64 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            error = "a record must be a JSON object";
            SkipRest(ref reader);
            return false;
        }

        DateTimeOffset? timestamp = null;
        System.Net.IPAddress? ip = null;
        string? method = null, path = null, query = null, apiKey = null, account = null, session = null, label = null;
        var headers = HeaderList.Empty;
        TlsFingerprints? tls = null;
        JsonElement? body = null;
        int? status = null;
        double? latency = null;
        error = null;

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            // Member names written with escapes are legal JSON, if never what a logger writes: match them unescaped.
            var name = reader.ValueIsEscaped ? System.Text.Encoding.UTF8.GetBytes(reader.GetString()!) : reader.ValueSpan;
            reader.Read();
            var isNull = reader.TokenType == JsonTokenType.Null;

            switch (name.Length)
            {
                case 2 when name.SequenceEqual("ts"u8):
                    if (!RequireString(ref reader, "ts", out error))
                    {
                        return false;
                    }

                    if (!TryTimestamp(ref reader, out var ts))
                    {
                        error = $"\"ts\": '{reader.GetString()}' is not an RFC 3339 time, like 2026-11-21T10:00:00.123Z";
                        return false;
                    }

                    timestamp = ts;
                    break;
                case 2 when name.SequenceEqual("ip"u8):
                    if (!RequireString(ref reader, "ip", out error))
                    {
                        return false;
                    }

                    if (!TryAddress(ref reader, out var address))
                    {
                        error = $"\"ip\": '{reader.GetString()}' is not an IPv4 or IPv6 address";
                        return false;
                    }

                    ip = address;
                    break;
                case 6 when name.SequenceEqual("method"u8):
                    if (!RequireString(ref reader, "method", out error))
                    {
                        return false;
                    }

                    method = reader.ValueIsEscaped ? reader.GetString()!.ToUpperInvariant() : RecordText.Method(reader.ValueSpan);
                    if (string.IsNullOrEmpty(method))
                    {
                        error = $"\"method\": '{reader.GetString()}' is not an HTTP method";
                        return false;
                    }

                    break;
                case 4 when name.SequenceEqual("path"u8):
                    if (!RequireString(ref reader, "path", out error))
                    {
                        return false;
                    }

                    path = reader.GetString();
                    break;
                case 5 when name.SequenceEqual("query"u8):
                    if (!OptionalString(ref reader, "query", isNull, out query, out error))
                    {
                        return false;
                    }

                    break;
                case 7 when name.SequenceEqual("api_key"u8):
                    if (!OptionalString(ref reader, "api_key", isNull, out apiKey, out error))
                    {
                        return false;
                    }

                    break;
                case 7 when name.SequenceEqual("account"u8):
                    if (!OptionalString(ref reader, "account", isNull, out account, out error))
                    {
                        return false;
                    }

                    break;
                case 7 when name.SequenceEqual("session"u8):
                    if (!OptionalString(ref reader, "session", isNull, out session, out error))
                    {
                        return false;
                    }

                    break;
                case 5 when name.SequenceEqual("label"u8):
                    if (isNull)
                    {
                        label = null;
                        break;
                    }

                    if (reader.TokenType != JsonTokenType.String)
                    {
                        error = "\"label\" must be a string";
                        return false;
                    }

                    // Labels repeat line after line: keep the last one's string rather than making a new one each time.
                    label = _lastLabel is not null && reader.ValueTextEquals(_lastLabel) ? _lastLabel : (_lastLabel = reader.GetString());
                    break;
                case 7 when name.SequenceEqual("headers"u8):
                    if (!isNull && !TryHeaders(ref reader, out headers, out error))
                    {
                        return false;
                    }

                    break;
                case 3 when name.SequenceEqual("tls"u8):
                    if (!isNull && !TryTls(ref reader, out tls, out error))
                    {
                        return false;
                    }

                    break;
                case 4 when name.SequenceEqual("body"u8):
                    body = isNull ? null : JsonElement.ParseValue(ref reader);
                    break;
                case 6 when name.SequenceEqual("status"u8):
                    if (isNull)
                    {
                        status = null;
                        break;
                    }

                    if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out var code) || code is < 100 or > 599)
                    {
                        error = "\"status\" must be an HTTP status code from 100 to 599";
                        return false;
                    }

                    status = code;
                    break;
                case 10 when name.SequenceEqual("latency_ms"u8):
                    if (isNull)
                    {
                        latency = null;
                        break;
                    }

                    if (reader.TokenType != JsonTokenType.Number || !reader.TryGetDouble(out var ms) || ms < 0)
                    {
                        error = "\"latency_ms\" must be a number of milliseconds, 0 or more";
                        return false;
                    }

                    latency = ms;
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        // Anything after the object (a second value, garbage) is an error the reader throws on here.
        SkipRest(ref reader);

        if (timestamp is null || ip is null || method is null || path is null)
        {
            var missing = timestamp is null ? "ts" : ip is null ? "ip" : method is null ? "method" : "path";
            error = $"\"{missing}\" is required";
            return false;
        }

        var request = RecordText.Request(_identity, timestamp.Value, ip, method, path, query, headers, tls, apiKey, account, session, body);
        record = new RequestRecord(lineNumber, request, status, latency, label);
        error = null;
        return true;
    }

    private static void SkipRest(ref Utf8JsonReader reader)
    {
        while (reader.Read())
        {
        }
    }

    private static bool RequireString(ref Utf8JsonReader reader, string name, [NotNullWhen(false)] out string? error)
    {
        error = reader.TokenType switch
        {
            JsonTokenType.Null => $"\"{name}\" is required",
            JsonTokenType.String when reader.ValueSpan.IsEmpty => $"\"{name}\" must not be empty",
            JsonTokenType.String => null,
            _ => $"\"{name}\" must be a string",
        };
        return error is null;
    }

    private static bool OptionalString(ref Utf8JsonReader reader, string name, bool isNull, out string? value, [NotNullWhen(false)] out string? error)
    {
        value = null;
        error = null;
        if (isNull)
        {
            return true;
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            error = $"\"{name}\" must be a string";
            return false;
        }

        value = reader.GetString();
        return true;
    }

    private static bool TryTimestamp(ref Utf8JsonReader reader, out DateTimeOffset timestamp) =>
        reader.ValueIsEscaped
            ? RecordText.TryParseTimestamp(System.Text.Encoding.UTF8.GetBytes(reader.GetString()!), out timestamp)
            : RecordText.TryParseTimestamp(reader.ValueSpan, out timestamp);

    private static bool TryAddress(ref Utf8JsonReader reader, out System.Net.IPAddress address) =>
        reader.ValueIsEscaped
            ? RecordText.TryParseAddress(System.Text.Encoding.UTF8.GetBytes(reader.GetString()!), out address)
            : RecordText.TryParseAddress(reader.ValueSpan, out address);

    private bool TryHeaders(ref Utf8JsonReader reader, out HeaderList headers, [NotNullWhen(false)] out string? error)
    {
        headers = HeaderList.Empty;
        error = null;
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            error = "\"headers\" must be an object of header names to string values";
            reader.Skip();
            return false;
        }

        _headers.Clear();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.ValueIsEscaped ? reader.GetString()!.ToLowerInvariant() : RecordText.HeaderName(reader.ValueSpan);
            reader.Read();
            if (reader.TokenType != JsonTokenType.String)
            {
                error = $"\"headers\": the value of '{name}' must be a string";
                return false;
            }

            _headers.Add(new(name, HeaderValue(ref reader)));
        }

        headers = _headers.Count == 0 ? HeaderList.Empty : new HeaderList([.. _headers]);
        return true;
    }

    private string HeaderValue(ref Utf8JsonReader reader)
    {
        if (reader.ValueIsEscaped || reader.ValueSpan.Length > MaxSharedValueLength)
        {
            return reader.GetString()!;
        }

        Span<char> chars = stackalloc char[MaxSharedValueLength];
        if (System.Text.Unicode.Utf8.ToUtf16(reader.ValueSpan, chars, out _, out var written, replaceInvalidSequences: false) != System.Buffers.OperationStatus.Done)
        {
            return reader.GetString()!;
        }

        var text = chars[..written];
        if (_sharedValues.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(text, out var shared))
        {
            return shared;
        }

        var value = new string(text);
        if (_sharedValues.Count < MaxSharedValues)
        {
            _sharedValues[value] = value;
        }

        return value;
    }

    private static bool TryTls(ref Utf8JsonReader reader, out TlsFingerprints? tls, [NotNullWhen(false)] out string? error)
    {
        tls = null;
        error = "\"tls\" must be an object with string members \"ja4\" and \"ja3\"";
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        string? ja4 = null, ja3 = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isJa4 = reader.ValueTextEquals("ja4"u8);
            var isJa3 = reader.ValueTextEquals("ja3"u8);
            reader.Read();
            if (!isJa4 && !isJa3)
            {
                reader.Skip();
                continue;
            }

            if (reader.TokenType == JsonTokenType.Null)
            {
                continue;
            }

            if (reader.TokenType != JsonTokenType.String)
            {
                return false;
            }

            if (isJa4)
            {
                ja4 = reader.GetString();
            }
            else
            {
                ja3 = reader.GetString();
            }
        }

        tls = ja4 is null && ja3 is null ? null : new TlsFingerprints(ja4, ja3);
        error = null;
        return true;
    }
}
