using System.Globalization;
using System.Text;

namespace Bulwark.Core.Protections;

/// <summary>
/// Turns the destinations clients write (phone numbers, e-mail addresses) into one canonical form each, so that trivial
/// variations do not get a fresh limit: <c>+1 (555) 555-0123</c>, <c>001-555-555-0123</c> and <c>15555550123</c> are one
/// number; <c>Alice+otp@GoogleMail.com</c> and <c>a.lice@gmail.com</c> are one mailbox.
/// </summary>
public static class DestinationNormalizer
{
    /// <summary>The one key every destination that is not a plausible phone number or e-mail address shares.</summary>
    public const string Invalid = "invalid";

    // E.164: at most 15 digits; shorter than 7 is no mobile number anywhere.
    private const int MinPhoneDigits = 7;
    private const int MaxPhoneDigits = 15;

    private static readonly IdnMapping Idn = new();

    /// <summary>
    /// A phone number as its international digits (E.164 without the <c>+</c>): separators (space, <c>-</c>, <c>.</c>,
    /// <c>/</c>, parentheses) dropped, the international call prefix <c>00</c> dropped, a national trunk <c>0</c> replaced by
    /// <paramref name="defaultCountryCode"/> when given. Letters, other characters, or fewer than 7 or more than 15 digits
    /// give <see cref="Invalid"/>. Unicode digits of other scripts (Arabic-Indic, full-width) count as the same digits.
    /// </summary>
    public static string NormalizePhone(string value, string? defaultCountryCode = null)
    {
        ArgumentNullException.ThrowIfNull(value);
        Span<char> digits = stackalloc char[MaxPhoneDigits + 4];
        var count = 0;
        var plus = false;
        foreach (var c in value.AsSpan().Trim())
        {
            if (char.IsDigit(c))
            {
                if (count == digits.Length)
                {
                    return Invalid;
                }

                digits[count++] = (char)('0' + (int)char.GetNumericValue(c));
            }
            else if (c == '+' && count == 0 && !plus)
            {
                plus = true;
            }
            else if (c is not (' ' or '-' or '.' or '/' or '(' or ')' or '\u00a0' or '\u2010' or '\u2011' or '\u2012' or '\u2013'))
            {
                return Invalid; // letters (vanity numbers, extensions like "x12"), or anything else
            }
        }

        ReadOnlySpan<char> number = digits[..count];
        if (!plus && number.StartsWith("00"))
        {
            number = number[2..];
        }
        else if (!plus && number.Length > 0 && number[0] == '0' && !string.IsNullOrEmpty(defaultCountryCode))
        {
            var national = number[1..].ToString();
            number = (defaultCountryCode + national).AsSpan();
        }

        return number.Length is < MinPhoneDigits or > MaxPhoneDigits || number[0] == '0' ? Invalid : number.ToString();
    }

    /// <summary>
    /// An e-mail address as one mailbox: trimmed, lower-cased, the domain in its ASCII (punycode) form without a trailing
    /// dot, a <c>+tag</c> sub-address dropped, and for Gmail (<c>gmail.com</c>, <c>googlemail.com</c>, which ignore dots)
    /// the dots of the local part dropped and the domain written <c>gmail.com</c>. Anything without one <c>@</c> between a
    /// local part and a domain with a dot gives <see cref="Invalid"/>.
    /// </summary>
    public static string NormalizeEmail(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var text = value.Trim();
        var at = text.LastIndexOf('@');
        if (at <= 0 || at == text.Length - 1 || text.IndexOf('@') != at || text.Any(char.IsWhiteSpace))
        {
            return Invalid;
        }

        var local = text[..at].ToLowerInvariant();
        string domain;
        try
        {
            domain = Idn.GetAscii(text[(at + 1)..].TrimEnd('.')).ToLowerInvariant();
        }
        catch (ArgumentException)
        {
            return Invalid;
        }

        if (!domain.Contains('.', StringComparison.Ordinal) || domain.StartsWith('.') || domain.Contains("..", StringComparison.Ordinal))
        {
            return Invalid;
        }

        var plus = local.IndexOf('+', StringComparison.Ordinal);
        if (plus == 0)
        {
            return Invalid;
        }

        if (plus > 0)
        {
            local = local[..plus];
        }

        if (domain is "gmail.com" or "googlemail.com")
        {
            domain = "gmail.com";
            local = local.Replace(".", "", StringComparison.Ordinal);
        }

        return local.Length == 0 ? Invalid : new StringBuilder(local.Length + domain.Length + 1).Append(local).Append('@').Append(domain).ToString();
    }

    /// <summary>
    /// Normalises <paramref name="value"/> as <paramref name="kind"/> (<c>phone</c>, <c>email</c>, or <c>auto</c>: e-mail
    /// when it has an <c>@</c>). E-mail results start with no digit and contain <c>@</c>, so the two kinds never collide.
    /// </summary>
    public static string Normalize(string value, string kind, string? defaultCountryCode = null) => kind switch
    {
        "phone" => NormalizePhone(value, defaultCountryCode),
        "email" => NormalizeEmail(value),
        _ => value.Contains('@', StringComparison.Ordinal) ? NormalizeEmail(value) : NormalizePhone(value, defaultCountryCode),
    };

    /// <summary>The prefix a normalised destination is grouped under: its first <paramref name="digits"/> digits, its e-mail domain, or <see cref="Invalid"/>.</summary>
    public static string Prefix(string normalized, int digits)
    {
        ArgumentNullException.ThrowIfNull(normalized);
        if (normalized == Invalid)
        {
            return Invalid;
        }

        var at = normalized.LastIndexOf('@');
        if (at >= 0)
        {
            return normalized[(at + 1)..];
        }

        return normalized.Length <= digits ? normalized : normalized[..digits];
    }
}
