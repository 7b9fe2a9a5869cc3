using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Bulwark.Core.Schema;

/// <summary>
/// The <c>format</c> values Bulwark checks. Every other format is accepted unchecked (see docs/schema.md).
/// </summary>
internal static class SchemaFormats
{
    /// <summary>Formats whose strings are checked.</summary>
    public static readonly string[] CheckedStringFormats = ["date", "date-time", "email", "uuid", "ipv4", "ipv6"];

    /// <summary>Formats whose numbers are range-checked.</summary>
    public static readonly string[] CheckedNumberFormats = ["int32", "int64"];

    public static bool IsChecked(string format) =>
        Array.IndexOf(CheckedStringFormats, format) >= 0 || Array.IndexOf(CheckedNumberFormats, format) >= 0;

    /// <summary>Whether <paramref name="value"/> is valid for a checked string <paramref name="format"/>; true for others.</summary>
    public static bool IsValidString(string format, ReadOnlySpan<char> value) => format switch
    {
        "date" => IsDate(value),
        "date-time" => IsDateTime(value),
        "email" => IsEmail(value),
        "uuid" => value.Length == 36 && Guid.TryParseExact(value, "D", out _),
        "ipv4" => IPAddress.TryParse(value, out var v4) && v4.AddressFamily == AddressFamily.InterNetwork && value.Count('.') == 3,
        "ipv6" => value.Contains(':') && IPAddress.TryParse(value, out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6,
        _ => true,
    };

    // RFC 3339 full-date: exactly yyyy-MM-dd with a real calendar day.
    private static bool IsDate(ReadOnlySpan<char> value) =>
        value.Length == 10 && DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _);

    // RFC 3339 date-time: full-date "T" time with seconds, optional fraction, and a mandatory Z or ±hh:mm offset.
    private static bool IsDateTime(ReadOnlySpan<char> value)
    {
        if (value.Length < 20 || !IsDate(value[..10]) || (value[10] is not ('T' or 't')))
        {
            return false;
        }

        var rest = value[11..];
        if (rest.Length < 9 || rest[2] != ':' || rest[5] != ':' || !TwoDigits(rest, 0, 23) || !TwoDigits(rest, 3, 59) || !TwoDigits(rest, 6, 60))
        {
            return false;
        }

        rest = rest[8..];
        if (rest.Length > 0 && rest[0] == '.')
        {
            var digits = 1;
            while (digits < rest.Length && char.IsAsciiDigit(rest[digits]))
            {
                digits++;
            }

            if (digits == 1)
            {
                return false;
            }

            rest = rest[digits..];
        }

        if (rest is ['Z'] or ['z'])
        {
            return true;
        }

        return rest.Length == 6 && rest[0] is '+' or '-' && rest[3] == ':' && TwoDigits(rest, 1, 23) && TwoDigits(rest, 4, 59);
    }

    private static bool TwoDigits(ReadOnlySpan<char> text, int at, int max) =>
        char.IsAsciiDigit(text[at]) && char.IsAsciiDigit(text[at + 1]) && ((text[at] - '0') * 10) + (text[at + 1] - '0') <= max;

    // A pragmatic RFC 5321 shape: one '@', a local part of 1–64 characters without spaces, and a dotted domain of
    // letters, digits and hyphens. Quoted local parts and address literals are refused.
    private static bool IsEmail(ReadOnlySpan<char> value)
    {
        var at = value.IndexOf('@');
        if (at < 1 || at > 64 || at != value.LastIndexOf('@') || value.Length - at - 1 is < 3 or > 253)
        {
            return false;
        }

        var local = value[..at];
        foreach (var c in local)
        {
            if (c <= ' ' || c is '"' or '(' or ')' or ',' or ':' or ';' or '<' or '>' or '[' or '\\' or ']' or (char)127)
            {
                return false;
            }
        }

        if (local[0] == '.' || local[^1] == '.' || local.Contains("..", StringComparison.Ordinal))
        {
            return false;
        }

        var domain = value[(at + 1)..];
        if (!domain.Contains('.'))
        {
            return false;
        }

        foreach (var range in domain.Split('.'))
        {
            var label = domain[range];
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-')
            {
                return false;
            }

            foreach (var c in label)
            {
                if (!char.IsAsciiLetterOrDigit(c) && c != '-' && c < 128)
                {
                    return false;
                }
            }
        }

        return true;
    }
}
