using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
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

    // RateLimit-Policy text of a one-limit decision, by limit name: it changes only with the configuration. Names come from
    // the configuration, so the cache is small; it stops growing at MaxCachedPolicies (later names are formatted each time).
    private const int MaxCachedPolicies = 1024;
    private static readonly ConcurrentDictionary<string, CachedPolicy> PolicyCache = new(StringComparer.Ordinal);

    // The characters an sf-string holds as they are: printable ASCII but '"' and '\\'.
    private static readonly SearchValues<char> PlainStringChars =
        SearchValues.Create(string.Concat(Enumerable.Range(' ', '~' - ' ' + 1).Select(c => (char)c).Where(c => c is not '"' and not '\\')));

    /// <summary>The <c>RateLimit-Policy</c> value for every limit of the decision, or null when none applied.</summary>
    public static string? FormatPolicy(IReadOnlyList<LimitStatus> limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        if (limits.Count == 1)
        {
            var limit = limits[0];
            if (PolicyCache.TryGetValue(limit.Name, out var cached) && cached.Quota == limit.Quota && cached.WindowSeconds == limit.WindowSeconds)
            {
                return cached.Text;
            }

            var text = Format(limits, policy: true);
            if (PolicyCache.Count < MaxCachedPolicies)
            {
                PolicyCache[limit.Name] = new CachedPolicy(limit.Quota, limit.WindowSeconds, text!);
            }

            return text;
        }

        return Format(limits, policy: true);
    }

    /// <summary>The <c>RateLimit</c> value for every limit of the decision, or null when none applied.</summary>
    public static string? FormatLimit(IReadOnlyList<LimitStatus> limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        return Format(limits, policy: false);
    }

    // A structured-field list: one item per limit, the limit's name as an sf-string, then its parameters. Written into a
    // stack buffer (pooled if it outgrows it): the finished string is the only allocation.
    private static string? Format(IReadOnlyList<LimitStatus> limits, bool policy)
    {
        if (limits.Count == 0)
        {
            return null;
        }

        var text = new DefaultInterpolatedStringHandler(0, 0, CultureInfo.InvariantCulture, stackalloc char[256]);
        for (var i = 0; i < limits.Count; i++)
        {
            var limit = limits[i];
            if (i > 0)
            {
                text.AppendLiteral(", ");
            }

            AppendString(ref text, limit.Name);
            text.AppendLiteral(policy ? ";q=" : ";r=");
            text.AppendFormatted(policy ? limit.Quota : limit.Remaining);
            text.AppendLiteral(policy ? ";w=" : ";t=");
            text.AppendFormatted(policy ? limit.WindowSeconds : limit.ResetSeconds);
        }

        return text.ToStringAndClear();
    }

    // RFC 8941 sf-string: printable ASCII, with '"' and '\' escaped. Anything else is replaced: names come from config.
    private static void AppendString(ref DefaultInterpolatedStringHandler text, string value)
    {
        text.AppendLiteral("\"");
        if (!value.AsSpan().ContainsAnyExcept(PlainStringChars))
        {
            text.AppendLiteral(value);
        }
        else
        {
            foreach (var c in value)
            {
                if (c is '"' or '\\')
                {
                    text.AppendFormatted('\\');
                    text.AppendFormatted(c);
                }
                else
                {
                    text.AppendFormatted(c is >= ' ' and <= '~' ? c : '_');
                }
            }
        }

        text.AppendLiteral("\"");
    }

    private sealed record CachedPolicy(long Quota, long WindowSeconds, string Text);
}
