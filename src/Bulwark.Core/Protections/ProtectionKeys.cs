using Bulwark.Core.Limits;
using Bulwark.Core.Net;
using Bulwark.Core.Policy;

namespace Bulwark.Core.Protections;

/// <summary>Counter keys of preset limits whose key is not a plain <see cref="LimitKeySpec"/>: OTP destinations and actors.</summary>
internal static class ProtectionKeys
{
    /// <summary>The key of a destination limit (<c>policy/limit|normalised</c>) or its prefix; false when the body has no destination.</summary>
    public static bool TryDestination(CompiledLimit limit, RequestContext request, out string key)
    {
        var otp = limit.Otp!;
        var raw = request.GetBodyField(otp.Field);
        if (string.IsNullOrWhiteSpace(raw))
        {
            key = "";
            return false;
        }

        var normalized = DestinationNormalizer.Normalize(raw.Length > 320 ? DestinationNormalizer.Invalid : raw, otp.Kind, otp.DefaultCountryCode);
        var value = limit.Role == ProtectionRole.DestinationPrefix ? DestinationNormalizer.Prefix(normalized, otp.PrefixDigits) : normalized;
        key = string.Concat(limit.KeyPrefix, "|", value);
        return true;
    }

    /// <summary>The key of an actor budget: the session, else the account (trimmed, lower case), else the address group.</summary>
    public static string Actor(CompiledLimit limit, RequestContext request, int ipv6Prefix)
    {
        if (!string.IsNullOrEmpty(request.Session))
        {
            return string.Concat(limit.KeyPrefix, "|s:", Bounded(request.Session));
        }

        if (!string.IsNullOrWhiteSpace(request.Account))
        {
            return string.Concat(limit.KeyPrefix, "|a:", Bounded(request.Account.Trim().ToLowerInvariant()));
        }

        return string.Concat(limit.KeyPrefix, "|i:", IpAddressExtensions.FormatGroup(request.ClientIp, ipv6Prefix));
    }

    // A client-chosen value stays at most 96 characters in a key; longer ones are replaced by a stable 64-bit hash.
    private static string Bounded(string value)
    {
        if (value.Length <= 96)
        {
            return value;
        }

        var hash = 14695981039346656037UL;
        foreach (var c in value)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return "#" + hash.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
    }
}
