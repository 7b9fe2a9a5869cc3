using System.Globalization;
using System.Text;
using Bulwark.Core.Decisions;

namespace Bulwark.AspNetCore;

/// <summary>
/// Formats the IETF <c>RateLimit-Policy</c> and <c>RateLimit</c> fields (draft-ietf-httpapi-ratelimit-headers-11):
/// lists of structured-field items keyed by the policy name as an sf-string,
/// <c>"login-ip";q=10;w=60</c> and <c>"login-ip";r=0;t=30</c>.
/// </summary>
public static class RateLimitHeaders
{
    /// <summary>The <c>RateLimit-Policy</c> field name.</summary>
    public const string PolicyHeader = "RateLimit-Policy";

    /// <summary>The <c>RateLimit</c> field name.</summary>
    public const string LimitHeader = "RateLimit";

    /// <summary>The <c>RateLimit-Policy</c> value for every limit of the decision, or null when none applied.</summary>
    public static string? FormatPolicy(IReadOnlyList<LimitStatus> limits) =>
        Format(limits, static (builder, limit) => builder.Append(CultureInfo.InvariantCulture, $";q={limit.Quota};w={limit.WindowSeconds}"));

    /// <summary>The <c>RateLimit</c> value for every limit of the decision, or null when none applied.</summary>
    public static string? FormatLimit(IReadOnlyList<LimitStatus> limits) =>
        Format(limits, static (builder, limit) => builder.Append(CultureInfo.InvariantCulture, $";r={limit.Remaining};t={limit.ResetSeconds}"));

    // A structured-field list: one item per limit, the limit's name as an sf-string, then its parameters.
    private static string? Format(IReadOnlyList<LimitStatus> limits, Action<StringBuilder, LimitStatus> appendParameters)
    {
        ArgumentNullException.ThrowIfNull(limits);
        if (limits.Count == 0)
        {
            return null;
        }

        var builder = new StringBuilder();
        for (var i = 0; i < limits.Count; i++)
        {
            if (i > 0)
            {
                builder.Append(", ");
            }

            AppendString(builder, limits[i].Name);
            appendParameters(builder, limits[i]);
        }

        return builder.ToString();
    }

    // RFC 8941 sf-string: printable ASCII, with '"' and '\' escaped. Anything else is replaced: names come from config.
    private static void AppendString(StringBuilder builder, string value)
    {
        builder.Append('"');
        foreach (var c in value)
        {
            if (c is '"' or '\\')
            {
                builder.Append('\\').Append(c);
            }
            else
            {
                builder.Append(c is >= ' ' and <= '~' ? c : '_');
            }
        }

        builder.Append('"');
    }
}
