using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;

namespace Bulwark.Core.Intel.MaxMind;

/// <summary>
/// One network of the search tree with the data-section offset of its record, as yielded by
/// <see cref="MaxMindDbReader.EnumerateNetworks"/>. <see cref="Address"/> is the first address as a big-endian integer:
/// 32 bits for IPv4 (also for the IPv4 subtree <c>::/96</c> of an IPv6 database), 128 bits for IPv6.
/// </summary>
[StructLayout(LayoutKind.Auto)]
public readonly record struct MaxMindNetwork(UInt128 Address, int PrefixLength, bool IsIPv4, int DataOffset)
{
    /// <summary>The address width: 32 or 128.</summary>
    public int AddressBits => IsIPv4 ? 32 : 128;

    /// <summary>The last address of the network, as a big-endian integer of <see cref="AddressBits"/> bits.</summary>
    public UInt128 LastAddress =>
        Address | (AddressBits - PrefixLength == 128 ? UInt128.MaxValue : (UInt128.One << (AddressBits - PrefixLength)) - 1);

    /// <summary>Writes the first address's bytes (4 or 16) to <paramref name="destination"/> and returns how many.</summary>
    public int WriteAddressBytes(Span<byte> destination)
    {
        var length = IsIPv4 ? 4 : 16;
        var value = Address;
        for (var i = length - 1; i >= 0; i--)
        {
            destination[i] = (byte)value;
            value >>= 8;
        }

        return length;
    }

    /// <summary>The first address as an <see cref="IPAddress"/> (allocates).</summary>
    public IPAddress ToIPAddress()
    {
        Span<byte> bytes = stackalloc byte[16];
        var length = WriteAddressBytes(bytes);
        return new IPAddress(bytes[..length]);
    }

    /// <summary>CIDR notation, e.g. <c>1.0.0.0/24</c>.</summary>
    public override string ToString() => ToIPAddress() + "/" + PrefixLength.ToString(CultureInfo.InvariantCulture);
}
