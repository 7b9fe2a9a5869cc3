using System.Globalization;
using System.Net;
using Bulwark.Core.Net;
using Bulwark.Core.Pipeline;
using Bulwark.Core.Policy;

namespace Bulwark.Core.Limits;

/// <summary>Builds a request's counter key for a limit: <c>policy/limit|part|part</c>. One string per limit and request.</summary>
internal static class LimitKeyBuilder
{
    // Client-chosen values (headers, body fields) longer than this are replaced by a hash so a key stays small.
    private const int MaxPartLength = 96;

    /// <summary>Builds the key, or returns false when the request lacks a part (for example no account).</summary>
    public static bool TryBuild(CompiledLimit limit, RequestContext request, EvaluationContext context, int ipv6Prefix, out string key)
    {
        Span<char> buffer = stackalloc char[512];
        var written = 0;
        Append(buffer, ref written, limit.KeyPrefix);
        foreach (var part in limit.Key.PartArray)
        {
            Append(buffer, ref written, "|");
            switch (part.Kind)
            {
                case KeyPartKind.Ip:
                    if (!IpAddressExtensions.TryFormatGroup(request.ClientIp, ipv6Prefix, buffer[written..], out var ipChars))
                    {
                        key = "";
                        return false;
                    }

                    written += ipChars;
                    break;
                case KeyPartKind.Subnet:
                    var prefix = request.ClientIp.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? part.PrefixLength : 48;
                    if (!IpAddressExtensions.MaskToPrefix(request.ClientIp, prefix).TryFormat(buffer[written..], out var subnetChars))
                    {
                        key = "";
                        return false;
                    }

                    written += subnetChars;
                    Append(buffer, ref written, "/");
                    prefix.TryFormat(buffer[written..], out var prefixChars, default, CultureInfo.InvariantCulture);
                    written += prefixChars;
                    break;
                case KeyPartKind.Asn:
                    if (context.Asn is not { } asn)
                    {
                        key = "";
                        return false;
                    }

                    asn.TryFormat(buffer[written..], out var asnChars, default, CultureInfo.InvariantCulture);
                    written += asnChars;
                    break;
                case KeyPartKind.ApiKey:
                    if (!AppendValue(buffer, ref written, request.ApiKey))
                    {
                        key = "";
                        return false;
                    }

                    break;
                case KeyPartKind.Account:
                    if (!AppendValue(buffer, ref written, request.Account?.Trim().ToLowerInvariant()))
                    {
                        key = "";
                        return false;
                    }

                    break;
                case KeyPartKind.Session:
                    if (!AppendValue(buffer, ref written, request.Session))
                    {
                        key = "";
                        return false;
                    }

                    break;
                case KeyPartKind.Fingerprint:
                    if (!AppendValue(buffer, ref written, request.Tls?.Ja4 ?? request.Tls?.Ja3))
                    {
                        key = "";
                        return false;
                    }

                    break;
                case KeyPartKind.Route:
                    Append(buffer, ref written, context.Route ?? request.RouteTemplate ?? request.Path);
                    break;
                case KeyPartKind.Header:
                    if (!AppendValue(buffer, ref written, request.Headers[part.Argument!]))
                    {
                        key = "";
                        return false;
                    }

                    break;
                case KeyPartKind.BodyField:
                    if (!AppendValue(buffer, ref written, request.GetBodyField(part.Argument!)))
                    {
                        key = "";
                        return false;
                    }

                    break;
                case KeyPartKind.Global:
                    Append(buffer, ref written, "*");
                    break;
            }
        }

        key = new string(buffer[..written]);
        return true;
    }

    private static bool AppendValue(Span<char> buffer, ref int written, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return false;
        }

        if (value.Length <= MaxPartLength)
        {
            Append(buffer, ref written, value);
            return true;
        }

        // A long client-chosen value: keep the key bounded with a 64-bit hash of it.
        var hash = Fnv1a64(value);
        Append(buffer, ref written, "#");
        hash.TryFormat(buffer[written..], out var chars, "x16", CultureInfo.InvariantCulture);
        written += chars;
        return true;
    }

    // Stable across processes (unlike string.GetHashCode), so gateways sharing a store agree on keys.
    private static ulong Fnv1a64(string value)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in value)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return hash;
    }

    private static void Append(Span<char> buffer, ref int written, ReadOnlySpan<char> text)
    {
        var room = Math.Min(text.Length, buffer.Length - written);
        text[..room].CopyTo(buffer[written..]);
        written += room;
    }

    /// <summary>The group an IP belongs to, for actor keys (IPv6 by prefix).</summary>
    public static string FormatIpGroup(IPAddress address, int ipv6Prefix) => IpAddressExtensions.FormatGroup(address, ipv6Prefix);
}
