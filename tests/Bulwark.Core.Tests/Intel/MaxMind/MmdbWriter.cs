using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace Bulwark.Core.Tests.Intel.MaxMind;

/// <summary>
/// Encodes MaxMind DB data fields byte by byte, as the format specification 2.0 lays them out, so tests can build exact
/// and deliberately broken files.
/// </summary>
internal static class Mmdb
{
    public static byte[] Control(int type, int size)
    {
        var bytes = new List<byte>();
        int sizeBits;
        byte[] extra;
        if (size < 29)
        {
            sizeBits = size;
            extra = [];
        }
        else if (size < 285)
        {
            sizeBits = 29;
            extra = [(byte)(size - 29)];
        }
        else if (size < 65_821)
        {
            sizeBits = 30;
            var v = size - 285;
            extra = [(byte)(v >> 8), (byte)v];
        }
        else
        {
            sizeBits = 31;
            var v = size - 65_821;
            extra = [(byte)(v >> 16), (byte)(v >> 8), (byte)v];
        }

        if (type <= 7)
        {
            bytes.Add((byte)((type << 5) | sizeBits));
        }
        else
        {
            bytes.Add((byte)sizeBits);
            bytes.Add((byte)(type - 7));
        }

        bytes.AddRange(extra);
        return [.. bytes];
    }

    public static byte[] Field(int type, int size, ReadOnlySpan<byte> payload) => [.. Control(type, size), .. payload];

    public static byte[] String(string value)
    {
        var utf8 = Encoding.UTF8.GetBytes(value);
        return Field(2, utf8.Length, utf8);
    }

    public static byte[] Double(double value)
    {
        var b = new byte[8];
        BinaryPrimitives.WriteDoubleBigEndian(b, value);
        return Field(3, 8, b);
    }

    public static byte[] Float(float value)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteSingleBigEndian(b, value);
        return Field(15, 4, b);
    }

    public static byte[] Bytes(byte[] value) => Field(4, value.Length, value);

    public static byte[] UInt16(ushort value) => Unsigned(5, value, 2);

    public static byte[] UInt32(uint value) => Unsigned(6, value, 4);

    public static byte[] UInt64(ulong value) => Unsigned(9, value, 8);

    public static byte[] UInt128(UInt128 value) => Unsigned(10, value, 16);

    /// <summary>Signed 32-bit: the minimal big-endian bytes of the unsigned pattern (negative numbers take all 4).</summary>
    public static byte[] Int32(int value) => Unsigned(8, unchecked((uint)value), 4);

    public static byte[] Bool(bool value) => Control(14, value ? 1 : 0);

    public static byte[] Map(params (byte[] Key, byte[] Value)[] pairs) =>
        [.. Control(7, pairs.Length), .. pairs.SelectMany(p => p.Key.Concat(p.Value))];

    public static byte[] Map(params (string Key, byte[] Value)[] pairs) =>
        Map(pairs.Select(p => (String(p.Key), p.Value)).ToArray());

    public static byte[] Array(params byte[][] items) => [.. Control(11, items.Length), .. items.SelectMany(i => i)];

    /// <summary>A pointer in the given size class (0–3) to <paramref name="target"/>.</summary>
    public static byte[] Pointer(long target, int sizeClass)
    {
        switch (sizeClass)
        {
            case 0:
                return [(byte)(0x20 | (int)(target >> 8)), (byte)target];
            case 1:
                var v1 = target - 2048;
                return [(byte)(0x20 | 0x08 | (int)(v1 >> 16)), (byte)(v1 >> 8), (byte)v1];
            case 2:
                var v2 = target - 526_336;
                return [(byte)(0x20 | 0x10 | (int)(v2 >> 24)), (byte)(v2 >> 16), (byte)(v2 >> 8), (byte)v2];
            default:
                return [0x20 | 0x18, (byte)(target >> 24), (byte)(target >> 16), (byte)(target >> 8), (byte)target];
        }
    }

    private static byte[] Unsigned(int type, UInt128 value, int max)
    {
        var all = new byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(all, value);
        var firstNonZero = System.Array.FindIndex(all, b => b != 0);
        var size = firstNonZero < 0 ? 0 : 16 - firstNonZero;
        if (size > max)
        {
            throw new ArgumentOutOfRangeException(nameof(value));
        }

        return Field(type, size, all.AsSpan(16 - size));
    }

    public static readonly byte[] MetadataMarker = [0xAB, 0xCD, 0xEF, .. "MaxMind.com"u8];

    public static byte[] Metadata(uint nodeCount, int recordSize, int ipVersion, string type = "Test", int major = 2, int minor = 0) =>
        Map(
            ("node_count", UInt32(nodeCount)),
            ("record_size", UInt16((ushort)recordSize)),
            ("ip_version", UInt16((ushort)ipVersion)),
            ("database_type", String(type)),
            ("languages", Array(String("en"), String("de"))),
            ("binary_format_major_version", UInt16((ushort)major)),
            ("binary_format_minor_version", UInt16((ushort)minor)),
            ("build_epoch", UInt64(1_700_000_000)),
            ("description", Map(("en", String("Bulwark test database")))));
}

/// <summary>
/// Builds a MaxMind DB file: a search tree from networks mapped to data-section offsets, the 16-byte separator, the data
/// section and the metadata. Aliases make a subtree point at the node of another network (MaxMind's IPv4 aliases).
/// </summary>
internal sealed class MmdbWriter(int ipVersion, int recordSize)
{
    private readonly Node _root = new();
    private readonly List<(byte[] Alias, int AliasPrefix, byte[] Target, int TargetPrefix)> _aliases = [];

    public List<byte> Data { get; } = [];

    public int IpVersion => ipVersion;

    /// <summary>Appends a field to the data section and returns its offset.</summary>
    public int Add(byte[] field)
    {
        var offset = Data.Count;
        Data.AddRange(field);
        return offset;
    }

    /// <summary>Maps the network <paramref name="cidr"/> (e.g. "1.2.3.0/24"; IPv4 in an IPv6 tree goes under ::/96) to a data offset.</summary>
    public MmdbWriter Insert(string cidr, int dataOffset)
    {
        var (bits, prefix) = Parse(cidr);
        var node = _root;
        for (var i = 0; i < prefix - 1; i++)
        {
            node = node.Child(Bit(bits, i));
        }

        node.Set(Bit(bits, prefix - 1), new Leaf(dataOffset));
        return this;
    }

    /// <summary>Makes <paramref name="alias"/> lead to the node of <paramref name="target"/> (both IPv6 CIDRs).</summary>
    public MmdbWriter Alias(string alias, string target)
    {
        var (a, ap) = Parse(alias);
        var (t, tp) = Parse(target);
        _aliases.Add((a, ap, t, tp));
        return this;
    }

    public byte[] Build(Func<uint, byte[]>? metadata = null, int? metadataRecordSize = null)
    {
        var nodes = new List<Node>();
        var queue = new Queue<Node>();
        queue.Enqueue(_root);
        while (queue.Count > 0)
        {
            var n = queue.Dequeue();
            n.Index = nodes.Count;
            nodes.Add(n);
            foreach (var c in new[] { n.Left, n.Right })
            {
                if (c is Node child)
                {
                    queue.Enqueue(child);
                }
            }
        }

        foreach (var (a, ap, t, tp) in _aliases)
        {
            var target = _root;
            for (var i = 0; i < tp; i++)
            {
                target = (Node)target.Get(Bit(t, i))!;
            }

            var node = _root;
            for (var i = 0; i < ap - 1; i++)
            {
                node = node.Child(Bit(a, i));
                if (node.Index < 0)
                {
                    node.Index = nodes.Count;
                    nodes.Add(node);
                }
            }

            node.Set(Bit(a, ap - 1), target);
        }

        var nodeCount = (uint)nodes.Count;
        var file = new List<byte>();
        foreach (var n in nodes)
        {
            WriteNode(file, Record(n.Left, nodeCount), Record(n.Right, nodeCount));
        }

        file.AddRange(new byte[16]);
        file.AddRange(Data);
        file.AddRange(Mmdb.MetadataMarker);
        file.AddRange(metadata?.Invoke(nodeCount) ?? Mmdb.Metadata(nodeCount, metadataRecordSize ?? recordSize, ipVersion));
        return [.. file];
    }

    private void WriteNode(List<byte> file, uint left, uint right)
    {
        switch (recordSize)
        {
            case 24:
                file.AddRange([(byte)(left >> 16), (byte)(left >> 8), (byte)left, (byte)(right >> 16), (byte)(right >> 8), (byte)right]);
                break;
            case 28:
                file.AddRange([(byte)(left >> 16), (byte)(left >> 8), (byte)left, (byte)(((left >> 20) & 0xF0) | ((right >> 24) & 0x0F)), (byte)(right >> 16), (byte)(right >> 8), (byte)right]);
                break;
            default:
                file.AddRange([(byte)(left >> 24), (byte)(left >> 16), (byte)(left >> 8), (byte)left, (byte)(right >> 24), (byte)(right >> 16), (byte)(right >> 8), (byte)right]);
                break;
        }
    }

    private static uint Record(object? child, uint nodeCount) => child switch
    {
        Node n => (uint)n.Index,
        Leaf l => nodeCount + 16 + (uint)l.Offset,
        _ => nodeCount,
    };

    private (byte[] Bits, int Prefix) Parse(string cidr)
    {
        var slash = cidr.IndexOf('/', StringComparison.Ordinal);
        var address = IPAddress.Parse(cidr[..slash]);
        var prefix = int.Parse(cidr[(slash + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        var bytes = address.GetAddressBytes();
        if (ipVersion == 6 && bytes.Length == 4)
        {
            bytes = [.. new byte[12], .. bytes];
            prefix += 96;
        }

        return (bytes, prefix);
    }

    private static int Bit(byte[] bits, int i) => (bits[i >> 3] >> (7 - (i & 7))) & 1;

    private sealed class Node
    {
        public int Index { get; set; } = -1;

        public object? Left { get; private set; }

        public object? Right { get; private set; }

        public object? Get(int bit) => bit == 0 ? Left : Right;

        public void Set(int bit, object value)
        {
            if (bit == 0)
            {
                Left = value;
            }
            else
            {
                Right = value;
            }
        }

        public Node Child(int bit)
        {
            if (Get(bit) is Node n)
            {
                return n;
            }

            // A more specific network inside a leaf pushes the leaf down to both halves, as MaxMind's writers do.
            var created = new Node();
            if (Get(bit) is Leaf leaf)
            {
                created.Set(0, leaf);
                created.Set(1, leaf);
            }

            Set(bit, created);
            return created;
        }
    }

    private sealed record Leaf(int Offset);
}
