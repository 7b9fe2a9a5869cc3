using System.Buffers.Binary;
using System.Net;

namespace Bulwark.Core.Simulation;

/// <summary>
/// IPv4 addresses drawn uniformly from a set of real ranges (each range weighted by its size), so a draw of a million
/// addresses from a large pool is almost all distinct, as with a residential proxy network.
/// </summary>
public sealed class AddressPool
{
    private readonly uint[] _firsts;
    private readonly long[] _cumulative;

    /// <summary>Creates a pool over <paramref name="ranges"/> (inclusive first and last address).</summary>
    public AddressPool(string name, IEnumerable<(uint First, uint Last)> ranges)
    {
        ArgumentNullException.ThrowIfNull(ranges);
        Name = name;
        var firsts = new List<uint>();
        var cumulative = new List<long>();
        long total = 0;
        foreach (var (first, last) in ranges)
        {
            if (last < first)
            {
                continue;
            }

            firsts.Add(first);
            total += (long)last - first + 1;
            cumulative.Add(total);
        }

        if (firsts.Count == 0)
        {
            throw new ArgumentException($"address pool '{name}' has no ranges", nameof(ranges));
        }

        _firsts = [.. firsts];
        _cumulative = [.. cumulative];
    }

    /// <summary>What the pool holds, for messages and docs.</summary>
    public string Name { get; }

    /// <summary>How many ranges the pool holds.</summary>
    public int RangeCount => _firsts.Length;

    /// <summary>How many addresses the pool holds.</summary>
    public long AddressCount => _cumulative[^1];

    /// <summary>One address, uniform over all the pool's addresses.</summary>
    public string Next(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var offset = random.NextInt64(AddressCount);
        var index = Array.BinarySearch(_cumulative, offset + 1);
        if (index < 0)
        {
            index = ~index;
        }

        var before = index == 0 ? 0 : _cumulative[index - 1];
        return Format(_firsts[index] + (uint)(offset - before));
    }

    /// <summary>Dotted-quad text of an address held as a big-endian number.</summary>
    public static string Format(uint address) =>
        string.Create(null, stackalloc char[15], $"{address >> 24}.{(address >> 16) & 0xff}.{(address >> 8) & 0xff}.{address & 0xff}");

    /// <summary>Parses dotted-quad text into a big-endian number, or null when it is not IPv4.</summary>
    public static uint? Parse(ReadOnlySpan<char> text)
    {
        if (!IPAddress.TryParse(text, out var ip) || ip.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
        {
            return null;
        }

        Span<byte> bytes = stackalloc byte[4];
        ip.TryWriteBytes(bytes, out _);
        return BinaryPrimitives.ReadUInt32BigEndian(bytes);
    }

    /// <summary>Parses an IPv4 CIDR (<c>1.2.3.0/24</c>) into its first and last address, or null.</summary>
    public static (uint First, uint Last)? ParseCidr(ReadOnlySpan<char> text)
    {
        var slash = text.IndexOf('/');
        var bits = 32;
        if (slash >= 0 && (!int.TryParse(text[(slash + 1)..], out bits) || bits is < 0 or > 32))
        {
            return null;
        }

        if (Parse(slash >= 0 ? text[..slash] : text) is not { } address)
        {
            return null;
        }

        var mask = bits == 0 ? 0u : uint.MaxValue << (32 - bits);
        return (address & mask, (address & mask) | ~mask);
    }
}
