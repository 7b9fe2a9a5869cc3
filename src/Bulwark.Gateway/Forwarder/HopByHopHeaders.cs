using Microsoft.Extensions.Primitives;

namespace Bulwark.Gateway.Forwarder;

/// <summary>
/// The headers that belong to one connection (RFC 9110 §7.6.1) and never cross the proxy: <c>Connection</c> and every
/// header it names, <c>Keep-Alive</c>, <c>TE</c>, <c>Trailer</c>, <c>Transfer-Encoding</c>, <c>Upgrade</c> and <c>Proxy-*</c>.
/// </summary>
internal static class HopByHopHeaders
{
    private static readonly HashSet<string> Fixed = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "TE", "Trailer", "Transfer-Encoding", "Upgrade", "Proxy-Connection", "Proxy-Authenticate", "Proxy-Authorization",
    };

    /// <summary>Whether <paramref name="name"/> is hop-by-hop by itself (before looking at what <c>Connection</c> names).</summary>
    public static bool IsHopByHop(string name) =>
        Fixed.Contains(name) || name.StartsWith("Proxy-", StringComparison.OrdinalIgnoreCase);

    /// <summary>The header names the <c>Connection</c> header lists (besides the fixed ones), or null when it names none.</summary>
    public static HashSet<string>? NamedByConnection(StringValues connection)
    {
        HashSet<string>? named = null;
        foreach (var value in connection)
        {
            if (value is null)
            {
                continue;
            }

            foreach (var part in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                (named ??= new HashSet<string>(StringComparer.OrdinalIgnoreCase)).Add(part);
            }
        }

        return named;
    }
}
