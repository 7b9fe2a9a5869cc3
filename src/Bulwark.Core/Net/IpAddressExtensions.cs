using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;

namespace Bulwark.Core.Net;

/// <summary>
/// Normalising, masking and formatting of client addresses. Every method first unwraps IPv4-mapped IPv6
/// (<c>::ffff:203.0.113.7</c> → <c>203.0.113.7</c>) and drops IPv6 scope ids, so one client has one spelling.
/// </summary>
/// <remarks>
/// IPv6 text is written in the RFC 5952 canonical form (lower-case hex, longest run of zero groups compressed),
/// always as hex groups: an address that survives normalisation is never an IPv4-mapped one.
/// </remarks>
public static class IpAddressExtensions
{
    /// <summary>The longest text the <c>TryFormat…</c> methods write: a full IPv6 address plus <c>/128</c>.</summary>
    public const int MaxFormattedLength = 43;

    /// <summary>Unwraps IPv4-mapped IPv6 to IPv4 and clears an IPv6 scope id; returns the same instance when nothing changes.</summary>
    public static IPAddress Normalize(this IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }

        if (address.ScopeId != 0)
        {
            Span<byte> bytes = stackalloc byte[16];
            address.TryWriteBytes(bytes, out _);
            return new IPAddress(bytes);
        }

        return address;
    }

    /// <summary>The network address of the normalised address's /<paramref name="prefixLength"/> (0–32 for IPv4, 0–128 for IPv6).</summary>
    public static IPAddress MaskToPrefix(this IPAddress address, int prefixLength)
    {
        ArgumentNullException.ThrowIfNull(address);
        GetBits(address, out UInt128 bits, out bool isV6);
        ValidatePrefix(prefixLength, isV6, nameof(prefixLength));
        UInt128 masked = bits & Mask(prefixLength, isV6);
        return ToAddress(masked, isV6);
    }

    /// <summary>
    /// The actor string a client is counted under: an IPv4 address as itself (<c>203.0.113.7</c>), an IPv6 address as its
    /// network of <paramref name="ipv6PrefixLength"/> bits (<c>2001:db8:1:2::/64</c>).
    /// </summary>
    public static string FormatGroup(this IPAddress address, int ipv6PrefixLength)
    {
        ArgumentNullException.ThrowIfNull(address);
        Span<char> buffer = stackalloc char[MaxFormattedLength];
        TryFormatGroup(address, ipv6PrefixLength, buffer, out int written);
        return new string(buffer[..written]);
    }

    /// <summary>
    /// Writes <see cref="FormatGroup"/>'s text without allocating. False only when <paramref name="destination"/> is too
    /// short (<see cref="MaxFormattedLength"/> always suffices).
    /// </summary>
    public static bool TryFormatGroup(this IPAddress address, int ipv6PrefixLength, Span<char> destination, out int charsWritten)
    {
        ArgumentNullException.ThrowIfNull(address);
        ValidatePrefix(ipv6PrefixLength, isV6: true, nameof(ipv6PrefixLength));
        GetBits(address, out UInt128 bits, out bool isV6);
        return isV6
            ? TryFormatNetwork(bits & Mask(ipv6PrefixLength, true), ipv6PrefixLength, true, destination, out charsWritten)
            : TryFormatV4((uint)bits, destination, out charsWritten);
    }

    /// <summary>
    /// The masked network for records that leave the process: <c>203.0.113.0/24</c>, <c>2001:db8:1::/48</c>.
    /// </summary>
    public static string FormatMasked(this IPAddress address, int ipv4PrefixLength, int ipv6PrefixLength)
    {
        ArgumentNullException.ThrowIfNull(address);
        Span<char> buffer = stackalloc char[MaxFormattedLength];
        TryFormatMasked(address, ipv4PrefixLength, ipv6PrefixLength, buffer, out int written);
        return new string(buffer[..written]);
    }

    /// <summary>Writes <see cref="FormatMasked"/>'s text without allocating. False only when <paramref name="destination"/> is too short.</summary>
    public static bool TryFormatMasked(this IPAddress address, int ipv4PrefixLength, int ipv6PrefixLength, Span<char> destination, out int charsWritten)
    {
        ArgumentNullException.ThrowIfNull(address);
        ValidatePrefix(ipv4PrefixLength, isV6: false, nameof(ipv4PrefixLength));
        ValidatePrefix(ipv6PrefixLength, isV6: true, nameof(ipv6PrefixLength));
        GetBits(address, out UInt128 bits, out bool isV6);
        int prefix = isV6 ? ipv6PrefixLength : ipv4PrefixLength;
        return TryFormatNetwork(bits & Mask(prefix, isV6), prefix, isV6, destination, out charsWritten);
    }

    // ---- Internals shared by IpNetworkSet, TrustedProxyResolver and BanList. ----

    /// <summary>The address as an integer in network order; IPv4 (also mapped IPv4) in the low 32 bits with <paramref name="isV6"/> false.</summary>
    internal static void GetBits(IPAddress address, out UInt128 bits, out bool isV6)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out int length);
        if (length == 4)
        {
            bits = BinaryPrimitives.ReadUInt32BigEndian(bytes);
            isV6 = false;
            return;
        }

        if (IsV4Mapped(bytes))
        {
            bits = BinaryPrimitives.ReadUInt32BigEndian(bytes[12..]);
            isV6 = false;
            return;
        }

        bits = BinaryPrimitives.ReadUInt128BigEndian(bytes);
        isV6 = true;
    }

    internal static bool IsV4Mapped(ReadOnlySpan<byte> v6Bytes) =>
        v6Bytes[..10].IndexOfAnyExcept((byte)0) < 0 && v6Bytes[10] == 0xFF && v6Bytes[11] == 0xFF;

    /// <summary>The start of <c>::ffff:0:0/96</c>, where IPv4-mapped addresses live.</summary>
    internal static UInt128 MappedV4Start => new(0, 0xFFFF_0000_0000);

    internal static UInt128 Mask(int prefixLength, bool isV6)
    {
        if (prefixLength == 0)
        {
            return UInt128.Zero;
        }

        return isV6 ? UInt128.MaxValue << (128 - prefixLength) : uint.MaxValue << (32 - prefixLength);
    }

    /// <summary>The last address of the network starting at <paramref name="start"/>.</summary>
    internal static UInt128 NetworkEnd(UInt128 start, int prefixLength, bool isV6) =>
        start | (~Mask(prefixLength, isV6) & (isV6 ? UInt128.MaxValue : uint.MaxValue));

    internal static IPAddress ToAddress(UInt128 bits, bool isV6)
    {
        Span<byte> bytes = stackalloc byte[16];
        if (isV6)
        {
            BinaryPrimitives.WriteUInt128BigEndian(bytes, bits);
            return new IPAddress(bytes);
        }

        BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)bits);
        return new IPAddress(bytes[..4]);
    }

    internal static void ValidatePrefix(int prefixLength, bool isV6, string paramName)
    {
        int max = isV6 ? 128 : 32;
        if ((uint)prefixLength > (uint)max)
        {
            ThrowPrefixOutOfRange(prefixLength, max, paramName);
        }
    }

    [DoesNotReturn]
    private static void ThrowPrefixOutOfRange(int prefixLength, int max, string paramName) =>
        throw new ArgumentOutOfRangeException(paramName, prefixLength, $"A prefix length must be between 0 and {max}.");

    /// <summary>Writes <c>network/prefix</c>.</summary>
    internal static bool TryFormatNetwork(UInt128 network, int prefixLength, bool isV6, Span<char> destination, out int charsWritten)
    {
        charsWritten = 0;
        bool ok = isV6 ? TryFormatV6(network, destination, out int n) : TryFormatV4((uint)network, destination, out n);
        if (!ok || n >= destination.Length)
        {
            return false;
        }

        destination[n++] = '/';
        if (!prefixLength.TryFormat(destination[n..], out int p))
        {
            return false;
        }

        charsWritten = n + p;
        return true;
    }

    internal static string FormatNetwork(UInt128 network, int prefixLength, bool isV6)
    {
        Span<char> buffer = stackalloc char[MaxFormattedLength];
        TryFormatNetwork(network, prefixLength, isV6, buffer, out int written);
        return new string(buffer[..written]);
    }

    internal static string FormatAddress(UInt128 address, bool isV6)
    {
        Span<char> buffer = stackalloc char[MaxFormattedLength];
        int written;
        _ = isV6 ? TryFormatV6(address, buffer, out written) : TryFormatV4((uint)address, buffer, out written);
        return new string(buffer[..written]);
    }

    internal static bool TryFormatV4(uint address, Span<char> destination, out int charsWritten)
    {
        charsWritten = 0;
        int n = 0;
        for (int shift = 24; shift >= 0; shift -= 8)
        {
            if (shift != 24)
            {
                if (n >= destination.Length)
                {
                    return false;
                }

                destination[n++] = '.';
            }

            if (!((byte)(address >> shift)).TryFormat(destination[n..], out int w))
            {
                return false;
            }

            n += w;
        }

        charsWritten = n;
        return true;
    }

    /// <summary>RFC 5952: lower-case hex, no leading zeros, the longest run (first on ties) of two or more zero groups as <c>::</c>.</summary>
    internal static bool TryFormatV6(UInt128 address, Span<char> destination, out int charsWritten)
    {
        charsWritten = 0;
        Span<ushort> groups = stackalloc ushort[8];
        for (int i = 0; i < 8; i++)
        {
            groups[i] = (ushort)(address >> (112 - (16 * i)));
        }

        int bestStart = -1, bestLength = 1;
        for (int i = 0; i < 8;)
        {
            if (groups[i] != 0)
            {
                i++;
                continue;
            }

            int j = i;
            while (j < 8 && groups[j] == 0)
            {
                j++;
            }

            if (j - i > bestLength)
            {
                bestStart = i;
                bestLength = j - i;
            }

            i = j;
        }

        int n = 0;
        for (int i = 0; i < 8; i++)
        {
            if (i == bestStart)
            {
                if (destination.Length - n < 2)
                {
                    return false;
                }

                destination[n++] = ':';
                destination[n++] = ':';
                i += bestLength - 1;
                continue;
            }

            if (i != 0 && i != bestStart + bestLength)
            {
                if (n >= destination.Length)
                {
                    return false;
                }

                destination[n++] = ':';
            }

            if (!groups[i].TryFormat(destination[n..], out int w, "x"))
            {
                return false;
            }

            n += w;
        }

        charsWritten = n;
        return true;
    }

    /// <summary>
    /// Parses an address strictly: IPv4 only as a dotted quad of decimal octets without leading zeros (no <c>127.1</c>,
    /// <c>0x7f.0.0.1</c> or <c>010.0.0.1</c>, which <see cref="IPAddress.TryParse(string?, out IPAddress?)"/> accepts),
    /// IPv6 without brackets or port. The result is normalised.
    /// </summary>
    internal static bool TryParseStrict(ReadOnlySpan<char> text, out UInt128 bits, out bool isV6)
    {
        bits = default;
        isV6 = false;
        if (text.IsEmpty)
        {
            return false;
        }

        if (text.Contains(':'))
        {
            if (text.ContainsAny('[', ']') || text.Contains('/') || !IPAddress.TryParse(text, out IPAddress? parsed)
                || parsed.AddressFamily != AddressFamily.InterNetworkV6)
            {
                return false;
            }

            GetBits(parsed, out bits, out isV6);
            return true;
        }

        if (!TryParseDottedQuad(text, out uint v4))
        {
            return false;
        }

        bits = v4;
        return true;
    }

    private static bool TryParseDottedQuad(ReadOnlySpan<char> text, out uint value)
    {
        value = 0;
        int octets = 0;
        int i = 0;
        while (true)
        {
            int start = i;
            int octet = 0;
            while (i < text.Length && char.IsAsciiDigit(text[i]) && i - start < 3)
            {
                octet = (octet * 10) + (text[i] - '0');
                i++;
            }

            int digits = i - start;
            if (digits == 0 || octet > 255 || (digits > 1 && text[start] == '0'))
            {
                return false;
            }

            value = (value << 8) | (uint)octet;
            octets++;
            if (octets == 4)
            {
                return i == text.Length;
            }

            if (i >= text.Length || text[i] != '.')
            {
                return false;
            }

            i++;
        }
    }
}
