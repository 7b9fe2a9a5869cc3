using System.Globalization;
using System.Net;
using System.Text;
using Bulwark.Core.Policy;

namespace Bulwark.Core.Replay;

/// <summary>
/// Field parsing shared by the input formats: times, addresses, methods and header names from UTF-8 without the string
/// round trips a general parser makes, plus assembling the <see cref="RequestContext"/> the way the front doors do.
/// </summary>
internal static class RecordText
{
    private static readonly string[] Methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "CONNECT", "TRACE"];

    /// <summary>Reads an RFC 3339 time (<c>2026-11-21T10:00:00.123Z</c>, any fraction, <c>Z</c> or an offset); other forms go through <see cref="DateTimeOffset.TryParse(string, IFormatProvider, DateTimeStyles, out DateTimeOffset)"/>, a time without offset taken as UTC.</summary>
    public static bool TryParseTimestamp(ReadOnlySpan<byte> text, out DateTimeOffset timestamp)
    {
        if (TryParseRfc3339(text, out timestamp))
        {
            return true;
        }

        if (!DateTimeOffset.TryParse(Encoding.UTF8.GetString(text), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out timestamp))
        {
            return false;
        }

        timestamp = timestamp.ToUniversalTime();
        return true;
    }

    private static bool TryParseRfc3339(ReadOnlySpan<byte> s, out DateTimeOffset timestamp)
    {
        timestamp = default;
        if (s.Length < 20 || s[4] != '-' || s[7] != '-' || (s[10] | 0x20) != 't' || s[13] != ':' || s[16] != ':'
            || !Digits(s, 0, 4, out var year) || !Digits(s, 5, 2, out var month) || !Digits(s, 8, 2, out var day)
            || !Digits(s, 11, 2, out var hour) || !Digits(s, 14, 2, out var minute) || !Digits(s, 17, 2, out var second))
        {
            return false;
        }

        var i = 19;
        long fraction = 0;
        if (s[i] == '.')
        {
            i++;
            var start = i;
            var scale = 1_000_000L;
            while (i < s.Length && (uint)(s[i] - '0') <= 9)
            {
                fraction += (s[i] - '0') * scale;
                scale /= 10;
                i++;
            }

            if (i == start)
            {
                return false;
            }
        }

        TimeSpan offset;
        if (i == s.Length - 1 && (s[i] | 0x20) == 'z')
        {
            offset = TimeSpan.Zero;
        }
        else if (i == s.Length - 6 && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':'
            && Digits(s, i + 1, 2, out var offsetHours) && Digits(s, i + 4, 2, out var offsetMinutes) && offsetHours < 24 && offsetMinutes < 60)
        {
            offset = new TimeSpan(offsetHours, offsetMinutes, 0);
            if (s[i] == '-')
            {
                offset = -offset;
            }
        }
        else
        {
            return false;
        }

        if (month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year == 0 ? 1 : year, month) || year == 0
            || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        var ticks = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified).Ticks + fraction - offset.Ticks;
        if (ticks < DateTime.MinValue.Ticks || ticks > DateTime.MaxValue.Ticks)
        {
            return false;
        }

        timestamp = new DateTimeOffset(ticks, TimeSpan.Zero);
        return true;
    }

    /// <summary>Reads <paramref name="count"/> ASCII digits at <paramref name="start"/>.</summary>
    public static bool Digits(ReadOnlySpan<byte> s, int start, int count, out int value)
    {
        value = 0;
        if (start + count > s.Length)
        {
            return false;
        }

        for (var i = start; i < start + count; i++)
        {
            var digit = (uint)(s[i] - '0');
            if (digit > 9)
            {
                return false;
            }

            value = (value * 10) + (int)digit;
        }

        return true;
    }

    /// <summary>Reads an IPv4 or IPv6 address, a zone (<c>%eth0</c>) dropped and IPv4-mapped IPv6 unwrapped.</summary>
    public static bool TryParseAddress(ReadOnlySpan<byte> text, out IPAddress address)
    {
        var zone = text.IndexOf((byte)'%');
        if (!IPAddress.TryParse(zone < 0 ? text : text[..zone], out address!))
        {
            return false;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        return true;
    }

    /// <summary>The method in upper case: a shared string for the common methods, else a new one; null when it is not an HTTP token.</summary>
    public static string? Method(ReadOnlySpan<byte> text)
    {
        if (text.IsEmpty || text.Length > 32)
        {
            return null;
        }

        foreach (var method in Methods)
        {
            if (text.Length == method.Length && Ascii.EqualsIgnoreCase(text, method))
            {
                return method;
            }
        }

        foreach (var b in text)
        {
            // RFC 9110 token characters.
            if (b <= 32 || b >= 127 || "\"(),/:;<=>?@[\\]{}"u8.Contains(b))
            {
                return null;
            }
        }

        return Encoding.ASCII.GetString(text).ToUpperInvariant();
    }

    /// <summary>A lower-case header name: shared strings for the names the detectors read, else a new one.</summary>
    public static string HeaderName(ReadOnlySpan<byte> name) => name.Length switch
    {
        6 when Ascii.EqualsIgnoreCase(name, "accept"u8) => "accept",
        6 when Ascii.EqualsIgnoreCase(name, "cookie"u8) => "cookie",
        7 when Ascii.EqualsIgnoreCase(name, "referer"u8) => "referer",
        9 when Ascii.EqualsIgnoreCase(name, "x-api-key"u8) => "x-api-key",
        10 when Ascii.EqualsIgnoreCase(name, "user-agent"u8) => "user-agent",
        12 when Ascii.EqualsIgnoreCase(name, "content-type"u8) => "content-type",
        13 when Ascii.EqualsIgnoreCase(name, "authorization"u8) => "authorization",
        15 when Ascii.EqualsIgnoreCase(name, "accept-encoding"u8) => "accept-encoding",
        15 when Ascii.EqualsIgnoreCase(name, "accept-language"u8) => "accept-language",
        15 when Ascii.EqualsIgnoreCase(name, "x-forwarded-for"u8) => "x-forwarded-for",
        _ => Encoding.UTF8.GetString(name).ToLowerInvariant(),
    };

    /// <summary>The request as the engine sees it, with the API key and session taken from the headers when the record does not name them.</summary>
    public static RequestContext Request(
        IdentityOptions identity, DateTimeOffset timestamp, IPAddress ip, string method, string path, string? query, HeaderList headers,
        TlsFingerprints? tls, string? apiKey, string? account, string? session, System.Text.Json.JsonElement? body)
    {
        if (account is null && body is { ValueKind: System.Text.Json.JsonValueKind.Object } json)
        {
            foreach (var field in identity.AccountBodyFields)
            {
                if (json.TryGetProperty(field, out var value) && value.ValueKind == System.Text.Json.JsonValueKind.String && value.GetString() is { Length: > 0 } text)
                {
                    account = text;
                    break;
                }
            }
        }

        return new RequestContext
        {
            Timestamp = timestamp,
            ClientIp = ip,
            Method = method,
            Path = path,
            Query = query,
            Headers = headers,
            Tls = tls,
            ApiKey = apiKey ?? NullIfEmpty(headers[identity.ApiKeyHeader]),
            Account = account,
            Session = session ?? NullIfEmpty(headers[identity.SessionHeader]),
            Body = body,
        };
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
