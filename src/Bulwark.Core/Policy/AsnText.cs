using System.Globalization;

namespace Bulwark.Core.Policy;

/// <summary>Autonomous system numbers as configuration writes them.</summary>
internal static class AsnText
{
    /// <summary><c>"AS64500"</c> or <c>"64500"</c> → 64500; null when it is neither (or out of the 32-bit range).</summary>
    public static long? Parse(string text)
    {
        var digits = text.AsSpan().Trim();
        if (digits.StartsWith("AS", StringComparison.OrdinalIgnoreCase))
        {
            digits = digits[2..];
        }

        return long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var asn) && asn is > 0 and <= uint.MaxValue ? asn : null;
    }
}
