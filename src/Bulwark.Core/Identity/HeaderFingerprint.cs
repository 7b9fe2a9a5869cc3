using System.Security.Cryptography;
using System.Text;

namespace Bulwark.Core.Identity;

/// <summary>
/// Bulwark's own HTTP header fingerprint (not JA4H, whose licence is not open source). The canonical text is
/// <c>METHOD|VERSION|COOKIE|REFERER|LANG|NAMES</c>: the method as sent, the HTTP version (<c>1.0</c>, <c>1.1</c>, <c>2</c>,
/// <c>3</c>, <c>?</c>), <c>c</c>/<c>-</c> for a Cookie header, <c>r</c>/<c>-</c> for a Referer, the first language range of
/// Accept-Language lower-cased (<c>-</c> without), and the header names lower-case in the order sent, comma-joined, with
/// Cookie and Referer left out (their presence is already counted). The fingerprint is <c>bh1_</c> plus the first 16 hex
/// digits of the SHA-256 of that text, and <c>_s</c> when the order is the server's rather than the client's (HTTP/2 through
/// Kestrel). Example: <c>GET|1.1|-|-|en-us|host,user-agent,accept,accept-language</c> → <c>bh1_…</c>.
/// </summary>
public static class HeaderFingerprint
{
    /// <summary>The canonical text the fingerprint hashes.</summary>
    public static string ComputeText(RequestContext request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var headers = request.Headers;
        var builder = new StringBuilder(128);
        builder.Append(request.Method).Append('|').Append(Version(request.Protocol)).Append('|')
            .Append(headers["cookie"] is null ? '-' : 'c').Append('|')
            .Append(headers["referer"] is null ? '-' : 'r').Append('|')
            .Append(FirstLanguage(headers["accept-language"])).Append('|');
        var first = true;
        foreach (var header in headers.AsSpan())
        {
            if (header.Key.Equals("cookie", StringComparison.OrdinalIgnoreCase) || header.Key.Equals("referer", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (!first)
            {
                builder.Append(',');
            }

            first = false;
            builder.Append(header.Key.ToLowerInvariant());
        }

        return builder.ToString();
    }

    /// <summary>The fingerprint: <c>bh1_</c> + 16 hex digits of SHA-256 of <see cref="ComputeText"/> (+ <c>_s</c> for server order).</summary>
    public static string Compute(RequestContext request)
    {
        var text = ComputeText(request);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(text), hash);
        var hex = Convert.ToHexStringLower(hash[..8]);
        return request.Headers.InClientOrder ? "bh1_" + hex : "bh1_" + hex + "_s";
    }

    private static string Version(string? protocol) => protocol switch
    {
        "HTTP/1.0" => "1.0",
        "HTTP/1.1" => "1.1",
        "HTTP/2" or "HTTP/2.0" => "2",
        "HTTP/3" or "HTTP/3.0" => "3",
        _ => "?",
    };

    private static string FirstLanguage(string? acceptLanguage)
    {
        if (string.IsNullOrWhiteSpace(acceptLanguage))
        {
            return "-";
        }

        var end = acceptLanguage.AsSpan().IndexOfAny(',', ';');
        var first = (end < 0 ? acceptLanguage : acceptLanguage[..end]).Trim();
        return first.Length == 0 ? "-" : first.ToLowerInvariant();
    }
}
