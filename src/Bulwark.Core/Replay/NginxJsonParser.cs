using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;
using Bulwark.Core.Policy;

namespace Bulwark.Core.Replay;

/// <summary>
/// Parses the <c>bulwark</c> nginx <c>log_format</c> (<c>escape=json</c>; samples/nginx-bulwark-log.conf, docs/replay.md):
/// time from <c>msec</c> (else <c>time_iso8601</c>), <c>remote_addr</c>, <c>request_method</c>, path and query from
/// <c>request_uri</c>, <c>status</c>, <c>request_time</c> (seconds) as latency, every <c>http_*</c> member as a request
/// header (<c>http_user_agent</c> → <c>user-agent</c>, in the log format's order), <c>ja4</c>/<c>ja3</c> when a
/// fingerprinting module fills them, and an optional <c>label</c>. Empty strings and <c>-</c> mean absent; numbers may
/// be written bare or quoted. Unknown members are ignored. Not thread-safe (it reuses a header buffer): one parser per input.
/// </summary>
public sealed class NginxJsonParser : IRequestRecordParser
{
    private readonly IdentityOptions _identity;
    private readonly List<KeyValuePair<string, string>> _headers = new(8);
    private string? _lastLabel;

    /// <summary>Creates a parser; API key and session come from the headers <paramref name="identity"/> names (<c>http_x_api_key</c> by default).</summary>
    public NginxJsonParser(IdentityOptions identity)
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
            error = "not an nginx JSON log line: " + exception.Message;
            return false;
        }
    }

    private bool TryParseCore(ReadOnlySpan<byte> line, long lineNumber, out RequestRecord? record, [NotNullWhen(false)] out string? error)
    {
        record = null;
        var reader = new Utf8JsonReader(line);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            error = "a log line must be a JSON object (log_format … escape=json)";
            return false;
        }

        DateTimeOffset? iso = null, msec = null;
        System.Net.IPAddress? ip = null;
        string? method = null, uri = null, ja4 = null, ja3 = null, label = null;
        int? status = null;
        double? latency = null;
        _headers.Clear();

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.ValueIsEscaped ? Encoding.UTF8.GetBytes(reader.GetString()!) : reader.ValueSpan;
            reader.Read();
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                reader.Skip();
                continue;
            }

            if (reader.TokenType == JsonTokenType.Null)
            {
                continue;
            }

            var value = reader.ValueIsEscaped ? Encoding.UTF8.GetBytes(reader.GetString()!) : reader.ValueSpan;
            if (value.IsEmpty || value.SequenceEqual("-"u8))
            {
                continue;
            }

            if (name.StartsWith("http_"u8) && name.Length > 5)
            {
                if (reader.TokenType != JsonTokenType.String)
                {
                    error = $"\"{Encoding.UTF8.GetString(name)}\" must be a string";
                    return false;
                }

                _headers.Add(new(HeaderName(name[5..]), reader.GetString()!));
                continue;
            }

            switch (name.Length)
            {
                case 4 when name.SequenceEqual("msec"u8):
                    if (!TryParseMsec(value, out var fromMsec))
                    {
                        error = $"\"msec\": '{Encoding.UTF8.GetString(value)}' is not seconds since the epoch, like 1795255200.123";
                        return false;
                    }

                    msec = fromMsec;
                    break;
                case 12 when name.SequenceEqual("time_iso8601"u8):
                    if (!RecordText.TryParseTimestamp(value, out var fromIso))
                    {
                        error = $"\"time_iso8601\": '{Encoding.UTF8.GetString(value)}' is not like 2026-11-21T10:00:00+00:00";
                        return false;
                    }

                    iso = fromIso;
                    break;
                case 11 when name.SequenceEqual("remote_addr"u8):
                    if (!RecordText.TryParseAddress(value, out var address))
                    {
                        error = $"\"remote_addr\": '{Encoding.UTF8.GetString(value)}' is not an IPv4 or IPv6 address";
                        return false;
                    }

                    ip = address;
                    break;
                case 14 when name.SequenceEqual("request_method"u8):
                    method = RecordText.Method(value);
                    if (method is null)
                    {
                        error = $"\"request_method\": '{Encoding.UTF8.GetString(value)}' is not an HTTP method";
                        return false;
                    }

                    break;
                case 11 when name.SequenceEqual("request_uri"u8):
                    uri = Encoding.UTF8.GetString(value);
                    break;
                case 6 when name.SequenceEqual("status"u8):
                    if (!Utf8Parser.TryParse(value, out int code, out var used) || used != value.Length || code is < 100 or > 599)
                    {
                        error = $"\"status\": '{Encoding.UTF8.GetString(value)}' is not an HTTP status code from 100 to 599";
                        return false;
                    }

                    status = code;
                    break;
                case 12 when name.SequenceEqual("request_time"u8):
                    if (!Utf8Parser.TryParse(value, out double seconds, out used) || used != value.Length || seconds < 0)
                    {
                        error = $"\"request_time\": '{Encoding.UTF8.GetString(value)}' is not a number of seconds";
                        return false;
                    }

                    latency = seconds * 1000;
                    break;
                case 3 when name.SequenceEqual("ja4"u8):
                    ja4 = Encoding.UTF8.GetString(value);
                    break;
                case 3 when name.SequenceEqual("ja3"u8):
                    ja3 = Encoding.UTF8.GetString(value);
                    break;
                case 5 when name.SequenceEqual("label"u8):
                    label = _lastLabel is not null && reader.ValueTextEquals(_lastLabel) ? _lastLabel : (_lastLabel = Encoding.UTF8.GetString(value));
                    break;
                default:
                    break;
            }
        }

        while (reader.Read())
        {
            // Anything after the object is an error the reader throws on.
        }

        var timestamp = msec ?? iso;
        var missing = timestamp is null ? "msec\" or \"time_iso8601" : ip is null ? "remote_addr" : method is null ? "request_method" : uri is null ? "request_uri" : null;
        if (missing is not null)
        {
            error = $"\"{missing}\" is required" + (method is null && uri is null && timestamp is not null && ip is not null ? " (nginx logs it empty when no HTTP request line arrived)" : "");
            return false;
        }

        var mark = uri!.IndexOf('?', StringComparison.Ordinal);
        var (path, query) = mark < 0 ? (uri, null) : (uri[..mark], uri[(mark + 1)..]);
        var headers = _headers.Count == 0 ? HeaderList.Empty : new HeaderList([.. _headers]);
        var tls = ja4 is null && ja3 is null ? null : new TlsFingerprints(ja4, ja3);
        var request = RecordText.Request(_identity, timestamp!.Value, ip!, method!, path, query, headers, tls, apiKey: null, account: null, session: null, body: null);
        record = new RequestRecord(lineNumber, request, status, latency, label);
        error = null;
        return true;
    }

    /// <summary><c>$msec</c>: seconds since the epoch with a millisecond fraction (<c>1795255200.123</c>).</summary>
    internal static bool TryParseMsec(ReadOnlySpan<byte> value, out DateTimeOffset timestamp)
    {
        timestamp = default;
        var dot = value.IndexOf((byte)'.');
        var whole = dot < 0 ? value : value[..dot];
        var fraction = dot < 0 ? [] : value[(dot + 1)..];
        if (!Utf8Parser.TryParse(whole, out long seconds, out var used) || used != whole.Length || seconds < 0 || seconds > 253_402_300_799)
        {
            return false;
        }

        long ticks = 0, scale = TimeSpan.TicksPerSecond / 10;
        foreach (var digit in fraction)
        {
            if ((uint)(digit - '0') > 9)
            {
                return false;
            }

            ticks += (digit - '0') * scale;
            scale /= 10;
        }

        timestamp = DateTimeOffset.UnixEpoch.AddTicks((seconds * TimeSpan.TicksPerSecond) + ticks);
        return true;
    }

    /// <summary>nginx's <c>$http_user_agent</c> is the <c>User-Agent</c> header: underscores back to dashes.</summary>
    private static string HeaderName(ReadOnlySpan<byte> variable)
    {
        Span<byte> name = stackalloc byte[Math.Min(variable.Length, 256)];
        variable[..name.Length].CopyTo(name);
        name.Replace((byte)'_', (byte)'-');
        return RecordText.HeaderName(name);
    }
}
