using System.Net.Http.Headers;
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

    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> FixedBySpan = Fixed.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Whether <paramref name="name"/> is hop-by-hop by itself (before looking at what <c>Connection</c> names).</summary>
    public static bool IsHopByHop(string name) => IsHopByHop(name.AsSpan());

    /// <inheritdoc cref="IsHopByHop(string)"/>
    public static bool IsHopByHop(ReadOnlySpan<char> name) =>
        FixedBySpan.Contains(name) || name.StartsWith("Proxy-", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The header names the <c>Connection</c> header lists besides the ones hop-by-hop by themselves (those are dropped
    /// anyway), or null when it names no other: the usual <c>keep-alive</c> or <c>Upgrade</c> allocates nothing.
    /// </summary>
    public static HashSet<string>? NamedByConnection(StringValues connection)
    {
        HashSet<string>? named = null;
        foreach (var value in connection)
        {
            AddNamed(ref named, value);
        }

        return named;
    }

    /// <inheritdoc cref="NamedByConnection(StringValues)"/>
    public static HashSet<string>? NamedByConnection(HeaderStringValues connection)
    {
        HashSet<string>? named = null;
        foreach (var value in connection)
        {
            AddNamed(ref named, value);
        }

        return named;
    }

    private static void AddNamed(ref HashSet<string>? named, string? value)
    {
        var rest = value.AsSpan();
        while (!rest.IsEmpty)
        {
            var comma = rest.IndexOf(',');
            var part = (comma < 0 ? rest : rest[..comma]).Trim();
            rest = comma < 0 ? default : rest[(comma + 1)..];
            if (!part.IsEmpty && !IsHopByHop(part))
            {
                (named ??= new HashSet<string>(StringComparer.OrdinalIgnoreCase)).Add(part.ToString());
            }
        }
    }
}
