using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Bulwark.Core.Net;
using Bulwark.Core.Pipeline;
using Bulwark.Core.Policy;

namespace Bulwark.Core.Limits;

/// <summary>
/// Builds a request's counter key for a limit: <c>policy/limit|part|part</c>. The key is written into a stack buffer; it
/// becomes a string only for a store that needs its text (Redis). The in-memory store gets its hash instead.
/// </summary>
internal static class LimitKeyBuilder
{
    /// <summary>Room for any key: longer ones are cut here, as they always were.</summary>
    public const int BufferLength = 512;

    // Client-chosen values (headers, body fields) longer than this are replaced by a hash so a key stays small.
    private const int MaxPartLength = 96;

    /// <summary>Builds the key, or returns false when the request lacks a part (for example no account).</summary>
    public static bool TryBuild(CompiledLimit limit, RequestContext request, EvaluationContext context, int ipv6Prefix, out string key)
    {
        Span<char> buffer = stackalloc char[BufferLength];
        if (!TryWrite(limit, request, context, ipv6Prefix, buffer, out var written))
        {
            key = "";
            return false;
        }

        key = new string(buffer[..written]);
        return true;
    }

    /// <summary>
    /// The key's <see cref="CounterKeyHash"/> without making it a string (equal to the hash of <see cref="TryBuild"/>'s
    /// key), or false when the request lacks a part. <paramref name="buffer"/> (<see cref="BufferLength"/> characters) is
    /// scratch, shared by a request's limits.
    /// </summary>
    public static bool TryHash(CompiledLimit limit, RequestContext request, EvaluationContext context, int ipv6Prefix, Span<char> buffer, out ulong hash)
    {
        if (!TryWrite(limit, request, context, ipv6Prefix, buffer, out var written))
        {
            hash = 0;
            return false;
        }

        hash = CounterKeyHash.Of(buffer[..written]);
        return true;
    }

    /// <summary>Writes the key into <paramref name="buffer"/> (cut at its length), or returns false when the request lacks a part.</summary>
    public static bool TryWrite(CompiledLimit limit, RequestContext request, EvaluationContext context, int ipv6Prefix, Span<char> buffer, out int written)
    {
        written = 0;
        Append(buffer, ref written, limit.KeyPrefix);
        foreach (var part in limit.Key.PartArray)
        {
            Append(buffer, ref written, "|");
            switch (part.Kind)
            {
                case KeyPartKind.Ip:
                    if (!IpAddressExtensions.TryFormatGroup(request.ClientIp, ipv6Prefix, buffer[written..], out var ipChars))
                    {
                        return false;
                    }

                    written += ipChars;
                    break;
                case KeyPartKind.Subnet:
                    if (!TryAppendSubnet(buffer, ref written, request.ClientIp, part.PrefixLength))
                    {
                        return false;
                    }

                    break;
                case KeyPartKind.Asn:
                    if (context.Asn is not { } asn)
                    {
                        return false;
                    }

                    asn.TryFormat(buffer[written..], out var asnChars, default, CultureInfo.InvariantCulture);
                    written += asnChars;
                    break;
                case KeyPartKind.ApiKey:
                    if (!AppendValue(buffer, ref written, request.ApiKey))
                    {
                        return false;
                    }

                    break;
                case KeyPartKind.Account:
                    if (!AppendAccount(buffer, ref written, request.Account))
                    {
                        return false;
                    }

                    break;
                case KeyPartKind.Session:
                    if (!AppendValue(buffer, ref written, request.Session))
                    {
                        return false;
                    }

                    break;
                case KeyPartKind.Fingerprint:
                    if (!AppendValue(buffer, ref written, request.Tls?.Ja4 ?? request.Tls?.Ja3))
                    {
                        return false;
                    }

                    break;
                case KeyPartKind.Route:
                    Append(buffer, ref written, context.Route ?? request.RouteTemplate ?? request.Path);
                    break;
                case KeyPartKind.Header:
                    if (!AppendValue(buffer, ref written, request.Headers[part.Argument!]))
                    {
                        return false;
                    }

                    break;
                case KeyPartKind.BodyField:
                    if (!AppendValue(buffer, ref written, request.GetBodyField(part.Argument!)))
                    {
                        return false;
                    }

                    break;
                case KeyPartKind.Global:
                    Append(buffer, ref written, "*");
                    break;
            }
        }

        return true;
    }

    // IPv4 (and IPv4-mapped IPv6, unwrapped first: a dual-mode socket reports IPv4 clients that way, and a /48 of the
    // unwrapped address would throw): a.b.c.0/N written straight from the address bits. IPv6 goes through IPAddress.
    private static bool TryAppendSubnet(Span<char> buffer, ref int written, IPAddress address, int ipv4Prefix)
    {
        address = address.Normalize();
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            IpAddressExtensions.GetBits(address, out var bits, out _);
            var network = bits & IpAddressExtensions.Mask(ipv4Prefix, isV6: false);
            if (!IpAddressExtensions.TryFormatV4((uint)network, buffer[written..], out var v4Chars))
            {
                return false;
            }

            written += v4Chars;
            Append(buffer, ref written, "/");
            ipv4Prefix.TryFormat(buffer[written..], out var v4PrefixChars, default, CultureInfo.InvariantCulture);
            written += v4PrefixChars;
            return true;
        }

        const int Ipv6Prefix = 48;
        if (!IpAddressExtensions.MaskToPrefix(address, Ipv6Prefix).TryFormat(buffer[written..], out var subnetChars))
        {
            return false;
        }

        written += subnetChars;
        Append(buffer, ref written, "/");
        Ipv6Prefix.TryFormat(buffer[written..], out var prefixChars, default, CultureInfo.InvariantCulture);
        written += prefixChars;
        return true;
    }

    // The account trimmed and in lower case (invariant), written straight into the key: the same text as
    // Account.Trim().ToLowerInvariant() without making that string.
    private static bool AppendAccount(Span<char> buffer, ref int written, string? account)
    {
        var trimmed = account.AsSpan().Trim();
        if (trimmed.IsEmpty)
        {
            return false;
        }

        if (trimmed.Length > MaxPartLength)
        {
            return AppendValue(buffer, ref written, trimmed.ToString().ToLowerInvariant());
        }

        var room = Math.Min(trimmed.Length, buffer.Length - written);
        if (room < trimmed.Length)
        {
            // Cut at the buffer's end, as Append cuts: lower-case the whole value first, then keep what fits.
            return AppendValue(buffer, ref written, trimmed.ToString().ToLowerInvariant());
        }

        written += trimmed.ToLowerInvariant(buffer[written..]);
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
