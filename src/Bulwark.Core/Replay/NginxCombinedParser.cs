using System.Diagnostics.CodeAnalysis;
using System.Text;
using Bulwark.Core.Policy;

namespace Bulwark.Core.Replay;

/// <summary>
/// Parses nginx's predefined <c>combined</c> access log format:
/// <c>$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"</c>.
/// Quoted fields are decoded from nginx's escaping (<c>\x22</c> and the like); <c>-</c> means absent; fields after the
/// user agent are ignored. The request line must be <c>METHOD URI [PROTOCOL]</c> — the <c>"-"</c> of an empty request or
/// the bytes of a TLS handshake sent to a plain-text port are reported as malformed lines and skipped.
/// </summary>
public sealed class NginxCombinedParser : IRequestRecordParser
{
    private readonly IdentityOptions _identity;

    /// <summary>Creates a parser; the API key header named in <paramref name="identity"/> is absent from combined logs.</summary>
    public NginxCombinedParser(IdentityOptions identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        _identity = identity;
    }

    /// <inheritdoc />
    public bool TryParse(ReadOnlySpan<byte> line, long lineNumber, [NotNullWhen(true)] out RequestRecord? record, [NotNullWhen(false)] out string? error)
    {
        record = null;
        var rest = line.TrimStart((byte)' ');

        var space = rest.IndexOf((byte)' ');
        if (space <= 0)
        {
            error = "not an nginx combined log line: expected '$remote_addr - $remote_user [$time_local] \"$request\" …'";
            return false;
        }

        if (!RecordText.TryParseAddress(rest[..space], out var ip))
        {
            error = $"remote_addr: '{Text(rest[..space])}' is not an IPv4 or IPv6 address";
            return false;
        }

        rest = rest[(space + 1)..];
        var open = rest.IndexOf((byte)'[');
        var close = open < 0 ? -1 : rest[open..].IndexOf((byte)']') + open;
        if (open < 0 || close < open)
        {
            error = "time_local: no [dd/Mon/yyyy:HH:mm:ss +zzzz] after the address";
            return false;
        }

        if (!TryParseTimeLocal(rest[(open + 1)..close], out var timestamp))
        {
            error = $"time_local: '{Text(rest[(open + 1)..close])}' is not like 21/Nov/2026:10:00:00 +0000";
            return false;
        }

        rest = rest[(close + 1)..].TrimStart((byte)' ');
        if (!TryQuoted(ref rest, out var requestLine, beforeStatus: true))
        {
            error = "request: no quoted request line after the time";
            return false;
        }

        if (!TryRequestLine(Decode(requestLine), out var method, out var path, out var query))
        {
            error = $"request: '{Text(requestLine)}' is not METHOD URI [PROTOCOL]";
            return false;
        }

        rest = rest.TrimStart((byte)' ');
        var statusEnd = rest.IndexOf((byte)' ');
        var statusText = statusEnd < 0 ? rest : rest[..statusEnd];
        if (statusText.Length != 3 || !RecordText.Digits(statusText, 0, 3, out var status))
        {
            error = $"status: '{Text(statusText)}' is not a three-digit HTTP status";
            return false;
        }

        // $body_bytes_sent, then the quoted referer and user agent; a line cut short after the status still counts.
        rest = statusEnd < 0 ? [] : rest[(statusEnd + 1)..].TrimStart((byte)' ');
        var bytesEnd = rest.IndexOf((byte)' ');
        rest = bytesEnd < 0 ? [] : rest[(bytesEnd + 1)..].TrimStart((byte)' ');
        string? referer = null, userAgent = null;
        if (TryQuoted(ref rest, out var refererText))
        {
            referer = Value(refererText);
            rest = rest.TrimStart((byte)' ');
            if (TryQuoted(ref rest, out var userAgentText))
            {
                userAgent = Value(userAgentText);
            }
        }

        var headers = (userAgent, referer) switch
        {
            (null, null) => HeaderList.Empty,
            (not null, null) => new HeaderList([new("user-agent", userAgent)]),
            (null, not null) => new HeaderList([new("referer", referer)]),
            _ => new HeaderList([new("user-agent", userAgent!), new("referer", referer!)]),
        };
        var request = RecordText.Request(_identity, timestamp, ip, method, path, query, headers, tls: null, apiKey: null, account: null, session: null, body: null);
        record = new RequestRecord(lineNumber, request, status is >= 100 and <= 599 ? status : null, LatencyMs: null, Label: null);
        error = null;
        return true;
    }

    /// <summary>Reads <c>21/Nov/2026:10:00:00 +0000</c>.</summary>
    internal static bool TryParseTimeLocal(ReadOnlySpan<byte> s, out DateTimeOffset timestamp)
    {
        timestamp = default;
        if (s.Length != 26 || s[2] != '/' || s[6] != '/' || s[11] != ':' || s[14] != ':' || s[17] != ':' || s[20] != ' '
            || !RecordText.Digits(s, 0, 2, out var day) || !RecordText.Digits(s, 7, 4, out var year)
            || !RecordText.Digits(s, 12, 2, out var hour) || !RecordText.Digits(s, 15, 2, out var minute) || !RecordText.Digits(s, 18, 2, out var second)
            || (s[21] != '+' && s[21] != '-') || !RecordText.Digits(s, 22, 2, out var offsetHours) || !RecordText.Digits(s, 24, 2, out var offsetMinutes))
        {
            return false;
        }

        var month = "JanFebMarAprMayJunJulAugSepOctNovDec"u8.IndexOf(s[3..6]);
        if (month < 0 || month % 3 != 0 || year == 0 || day < 1 || day > DateTime.DaysInMonth(year, (month / 3) + 1)
            || hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59)
        {
            return false;
        }

        var offset = new TimeSpan(offsetHours, offsetMinutes, 0);
        timestamp = new DateTimeOffset(year, (month / 3) + 1, day, hour, minute, second, s[21] == '-' ? -offset : offset).ToUniversalTime();
        return true;
    }

    /// <summary>
    /// Takes a field in double quotes off the front of <paramref name="rest"/>. nginx writes a quote inside a value as
    /// <c>\x22</c>; an older or differently configured nginx may not, so a quote ends the field only where the next field
    /// begins — a space and then a digit after the request line (the status), a space and a quote after the others, or
    /// the end of the line — and failing that at the first quote followed by a space.
    /// </summary>
    private static bool TryQuoted(ref ReadOnlySpan<byte> rest, out ReadOnlySpan<byte> value, bool beforeStatus = false)
    {
        value = default;
        if (rest.IsEmpty || rest[0] != '"')
        {
            return false;
        }

        var loose = -1;
        for (var i = 1; i < rest.Length; i++)
        {
            if (rest[i] != '"')
            {
                continue;
            }

            var end = i == rest.Length - 1;
            if (!end && rest[i + 1] == ' ' && loose < 0)
            {
                loose = i;
            }

            if (end || (rest[i + 1] == ' ' && i + 2 < rest.Length && (beforeStatus ? char.IsAsciiDigit((char)rest[i + 2]) : rest[i + 2] == '"')))
            {
                return Take(ref rest, i, out value);
            }
        }

        return loose >= 0 && Take(ref rest, loose, out value);

        static bool Take(ref ReadOnlySpan<byte> rest, int close, out ReadOnlySpan<byte> value)
        {
            value = rest[1..close];
            rest = rest[(close + 1)..];
            return true;
        }
    }

    /// <summary>Splits a decoded request line into method, path and query; the protocol, when present, must be HTTP/….</summary>
    private static bool TryRequestLine(string requestLine, [NotNullWhen(true)] out string? method, [NotNullWhen(true)] out string? path, out string? query)
    {
        method = path = query = null;
        var first = requestLine.IndexOf(' ', StringComparison.Ordinal);
        if (first <= 0)
        {
            return false;
        }

        method = RecordText.Method(Encoding.UTF8.GetBytes(requestLine[..first]));
        var uri = requestLine[(first + 1)..].Trim();
        var last = uri.LastIndexOf(' ');
        if (last > 0 && uri.AsSpan(last + 1).StartsWith("HTTP/", StringComparison.OrdinalIgnoreCase))
        {
            // A URI with a raw space in it ("GET /a b HTTP/1.1") keeps its space: the protocol is the last word.
            uri = uri[..last].TrimEnd();
        }

        if (method is null || uri.Length == 0)
        {
            return false;
        }

        if (uri[0] != '/' && Uri.TryCreate(uri, UriKind.Absolute, out var absolute) && absolute.Scheme is "http" or "https")
        {
            // Absolute form (a proxy request): the engine routes on the path.
            uri = absolute.PathAndQuery;
        }
        else if (uri[0] != '/' && uri != "*" && method != "CONNECT")
        {
            return false;
        }

        var mark = uri.IndexOf('?', StringComparison.Ordinal);
        (path, query) = mark < 0 ? (uri, null) : (uri[..mark], uri[(mark + 1)..]);
        return true;
    }

    /// <summary>A quoted field's value, null when nginx logged <c>-</c> or nothing.</summary>
    private static string? Value(ReadOnlySpan<byte> text) => text.IsEmpty || text.SequenceEqual("-"u8) ? null : Decode(text);

    /// <summary>Undoes nginx's default escaping: <c>\xHH</c> for a quote, a backslash and bytes outside printable ASCII.</summary>
    internal static string Decode(ReadOnlySpan<byte> text)
    {
        if (text.IndexOf("\\x"u8) < 0)
        {
            return Encoding.UTF8.GetString(text);
        }

        var bytes = text.Length <= 1024 ? stackalloc byte[text.Length] : new byte[text.Length];
        var length = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\' && i + 3 < text.Length && text[i + 1] == 'x' && IsHex(text[i + 2]) && IsHex(text[i + 3]))
            {
                bytes[length++] = (byte)((HexValue(text[i + 2]) << 4) | HexValue(text[i + 3]));
                i += 3;
            }
            else
            {
                bytes[length++] = text[i];
            }
        }

        return Encoding.UTF8.GetString(bytes[..length]);
    }

    private static bool IsHex(byte b) => char.IsAsciiHexDigit((char)b);

    private static int HexValue(byte b) => b <= '9' ? b - '0' : (b | 0x20) - 'a' + 10;

    /// <summary>Input text for an error message: as logged (control bytes as <c>\xHH</c>), cut to 80 characters.</summary>
    private static string Text(ReadOnlySpan<byte> text)
    {
        var builder = new StringBuilder(Math.Min(text.Length, 80) + 1);
        foreach (var rune in Encoding.UTF8.GetString(text[..Math.Min(text.Length, 240)]).EnumerateRunes())
        {
            if (builder.Length >= 80)
            {
                return builder.Append('…').ToString();
            }

            if (Rune.IsControl(rune))
            {
                builder.Append(System.Globalization.CultureInfo.InvariantCulture, $"\\x{rune.Value:X2}");
            }
            else
            {
                builder.Append(rune.ToString());
            }
        }

        return builder.ToString();
    }
}
