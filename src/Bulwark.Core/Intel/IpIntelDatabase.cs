using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Bulwark.Core.Intel.Database;

namespace Bulwark.Core.Intel;

/// <summary>
/// The compiled IP intelligence database (the file <c>bulwark ipdb build</c> writes), read once into arrays. A lookup is
/// a search over sorted, non-overlapping range starts and allocates nothing; the instance is immutable and thread-safe.
/// </summary>
/// <remarks>
/// IPv4-mapped IPv6 addresses are looked up as IPv4 and scope ids are ignored. 6to4 and Teredo addresses are looked up as
/// the IPv6 addresses they are, never unwrapped (see docs/ipintel.md). A first-level index on the top 16 bits narrows each
/// search to the ranges of one /16 (IPv4) or one 16-bit IPv6 prefix.
/// </remarks>
public sealed class IpIntelDatabase : IIpIntelLookup
{
    private const int IndexBits = 16;

    // start << 32 | record: the search reads the record from the cache line it already touched.
    private readonly ulong[] _v4Packed;
    private readonly int[] _v4Index;
    // IPv6 starts split in halves: the search runs over the high halves alone (8 bytes a range, so the table of the full
    // data fits in L2), then steps back over the few starts that share the address's high half.
    private readonly ulong[] _v6High;
    private readonly ulong[] _v6Low;
    private readonly int[] _v6Records;
    private readonly int[] _v6Index;
    private readonly IpInfo[] _infos;

    private IpIntelDatabase(
        string filePath, DateTimeOffset buildTime, string[] sources, IpInfo[] infos,
        uint[] v4Starts, int[] v4Records, UInt128[] v6Starts, int[] v6Records, long sizeBytes)
    {
        FilePath = filePath;
        BuildTime = buildTime;
        Sources = sources;
        _infos = infos;
        _v6High = [.. v6Starts.Select(static s => (ulong)(s >> 64))];
        _v6Low = [.. v6Starts.Select(static s => (ulong)s)];
        _v6Records = v6Records;
        SizeBytes = sizeBytes;
        _v4Packed = new ulong[v4Starts.Length];
        for (int i = 0; i < v4Starts.Length; i++)
        {
            _v4Packed[i] = ((ulong)v4Starts[i] << 32) | (uint)v4Records[i];
        }

        _v4Index = BuildIndex(v4Starts, static s => s >> (32 - IndexBits));
        _v6Index = BuildIndex(_v6High, static s => (uint)(s >> (64 - IndexBits)));
    }

    /// <summary>A database that knows nothing: every lookup answers <see cref="IpInfo.Unknown"/>.</summary>
    public static IpIntelDatabase Empty { get; } = new("(empty)", DateTimeOffset.UnixEpoch, [], [default], [0], [0], [UInt128.Zero], [0], 0);

    /// <summary>The file the database was loaded from.</summary>
    public string FilePath { get; }

    /// <summary>When the database was built (as the builder's caller said).</summary>
    public DateTimeOffset BuildTime { get; }

    /// <inheritdoc />
    public IReadOnlyList<string> Sources { get; }

    /// <summary>Flat IPv4 ranges, gaps included.</summary>
    public int RangeCountV4 => _v4Packed.Length;

    /// <summary>Flat IPv6 ranges, gaps included.</summary>
    public int RangeCountV6 => _v6High.Length;

    /// <summary>Distinct records.</summary>
    public int RecordCount => _infos.Length;

    /// <summary>The size of the file in bytes.</summary>
    public long SizeBytes { get; }

    /// <summary>Loads and verifies a database file; throws <see cref="IpIntelDatabaseException"/> naming the file and the fault.</summary>
    public static IpIntelDatabase Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new IpIntelDatabaseException(path, "cannot read the database file: " + e.Message, e);
        }

        return Load(bytes, path);
    }

    /// <summary>Verifies and loads a database image; <paramref name="name"/> names it in errors.</summary>
    public static IpIntelDatabase Load(ReadOnlySpan<byte> file, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (file.Length < IpIntelFileFormat.HeaderSize)
        {
            Fail(name, $"truncated: {file.Length} bytes, shorter than the {IpIntelFileFormat.HeaderSize}-byte header");
        }

        if (!file[..8].SequenceEqual(IpIntelFileFormat.Magic))
        {
            Fail(name, "not a Bulwark IP intelligence database (wrong magic; expected \"BULWIPDB\")");
        }

        ushort version = BinaryPrimitives.ReadUInt16LittleEndian(file[8..]);
        if (version != IpIntelFileFormat.Version)
        {
            Fail(name, $"format version {version} is not supported (this build reads version {IpIntelFileFormat.Version}); rebuild it with 'bulwark ipdb build'");
        }

        uint headerSize = BinaryPrimitives.ReadUInt32LittleEndian(file[12..]);
        if (headerSize != IpIntelFileFormat.HeaderSize)
        {
            Fail(name, $"header size {headerSize} is not {IpIntelFileFormat.HeaderSize}");
        }

        long buildMs = BinaryPrimitives.ReadInt64LittleEndian(file[16..]);
        ulong payloadLength = BinaryPrimitives.ReadUInt64LittleEndian(file[24..]);
        ulong actual = (ulong)(file.Length - IpIntelFileFormat.HeaderSize);
        if (payloadLength != actual)
        {
            Fail(name, payloadLength > actual
                ? $"truncated: the header announces {payloadLength} payload bytes, the file holds {actual}"
                : $"{actual - payloadLength} unexpected bytes after the payload");
        }

        ReadOnlySpan<byte> payload = file[IpIntelFileFormat.HeaderSize..];
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(payload, hash);
        if (!hash.SequenceEqual(file.Slice(32, 32)))
        {
            Fail(name, "checksum mismatch: the payload's SHA-256 is not the one in the header (corrupt file)");
        }

        if (buildMs < -62135596800000L || buildMs > 253402300799999L)
        {
            Fail(name, "build time out of range");
        }

        var reader = new PayloadReader(payload, name);
        string[] sources = reader.Strings("source names");
        if (sources.Length > 64)
        {
            Fail(name, $"{sources.Length} sources; at most 64 fit the source mask");
        }

        string[] strings = reader.Strings("string table");
        int recordCount = reader.Count("records", IpIntelFileFormat.RecordSize);
        var infos = new IpInfo[recordCount];
        for (int i = 0; i < recordCount; i++)
        {
            ReadOnlySpan<byte> r = reader.Take(IpIntelFileFormat.RecordSize, "records");
            int org = BinaryPrimitives.ReadInt32LittleEndian(r[4..]);
            int country = BinaryPrimitives.ReadInt32LittleEndian(r[8..]);
            if (org < -1 || org >= strings.Length || country < -1 || country >= strings.Length)
            {
                Fail(name, $"record {i} points outside the string table");
            }

            float lat = BinaryPrimitives.ReadSingleLittleEndian(r[12..]);
            infos[i] = new IpInfo
            {
                Asn = BinaryPrimitives.ReadUInt32LittleEndian(r),
                Organisation = org < 0 ? null : strings[org],
                Country = country < 0 ? null : strings[country],
                HasLocation = !float.IsNaN(lat),
                Latitude = float.IsNaN(lat) ? 0 : lat,
                Longitude = float.IsNaN(lat) ? 0 : BinaryPrimitives.ReadSingleLittleEndian(r[16..]),
                AccuracyRadiusKm = BinaryPrimitives.ReadUInt16LittleEndian(r[20..]),
                Kinds = (NetworkKind)BinaryPrimitives.ReadUInt16LittleEndian(r[22..]),
                SourceMask = BinaryPrimitives.ReadUInt64LittleEndian(r[24..]),
            };
        }

        if (recordCount == 0)
        {
            Fail(name, "no records (record 0, the empty record, must exist)");
        }

        int v4Count = reader.Count("IPv4 ranges", 8);
        uint[] v4Starts = new uint[v4Count];
        for (int i = 0; i < v4Count; i++)
        {
            v4Starts[i] = BinaryPrimitives.ReadUInt32LittleEndian(reader.Take(4, "IPv4 ranges"));
        }

        int[] v4Records = reader.RecordIndexes(v4Count, recordCount, "IPv4 ranges");
        int v6Count = reader.Count("IPv6 ranges", 20);
        var v6Starts = new UInt128[v6Count];
        for (int i = 0; i < v6Count; i++)
        {
            ReadOnlySpan<byte> s = reader.Take(16, "IPv6 ranges");
            v6Starts[i] = new UInt128(BinaryPrimitives.ReadUInt64LittleEndian(s), BinaryPrimitives.ReadUInt64LittleEndian(s[8..]));
        }

        int[] v6Records = reader.RecordIndexes(v6Count, recordCount, "IPv6 ranges");
        if (!reader.AtEnd)
        {
            Fail(name, "unexpected bytes after the IPv6 ranges");
        }

        CheckStarts<uint>(v4Starts, name, "IPv4");
        CheckStarts<UInt128>(v6Starts, name, "IPv6");
        return new IpIntelDatabase(name, DateTimeOffset.FromUnixTimeMilliseconds(buildMs), sources, infos, v4Starts, v4Records, v6Starts, v6Records, file.Length);
    }

    /// <inheritdoc />
    public IpInfo Lookup(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out int length);
        if (length == 4)
        {
            return LookupV4(BinaryPrimitives.ReadUInt32BigEndian(bytes));
        }

        // Scope ids are not part of the bytes; IPv4-mapped addresses (::ffff:a.b.c.d) count as IPv4.
        if (BinaryPrimitives.ReadUInt64LittleEndian(bytes) == 0 && BinaryPrimitives.ReadUInt32BigEndian(bytes[8..]) == 0xFFFF)
        {
            return LookupV4(BinaryPrimitives.ReadUInt32BigEndian(bytes[12..]));
        }

        return LookupV6(BinaryPrimitives.ReadUInt128BigEndian(bytes));
    }

    /// <summary>Looks up an IPv4 address given as a number in network order (<c>1.2.3.4</c> is <c>0x01020304</c>).</summary>
    public IpInfo LookupV4(uint address) => _infos[(int)(uint)_v4Packed[IndexOfV4(address)]];

    /// <summary>Looks up an IPv6 address given as a number in network order. IPv4-mapped addresses are not unwrapped here.</summary>
    public IpInfo LookupV6(UInt128 address) => _infos[_v6Records[IndexOfV6(address)]];

    /// <summary>The index of the flat IPv4 range holding <paramref name="address"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal int IndexOfV4(uint address)
    {
        uint top = address >> (32 - IndexBits);
        int lo = Math.Max(_v4Index[top] - 1, 0);
        int n = _v4Index[top + 1] - lo;
        ulong[] packed = _v4Packed;
        ulong key = ((ulong)address << 32) | uint.MaxValue;

        // Invariant: packed[lo] <= key (its start is not above the address), and the answer lies in [lo, lo + n).
        while (n > 1)
        {
            int half = n >> 1;
            lo = packed[lo + half] <= key ? lo + half : lo;
            n -= half;
        }

        return lo;
    }

    /// <summary>The index of the flat IPv6 range holding <paramref name="address"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal int IndexOfV6(UInt128 address)
    {
        ulong high = (ulong)(address >> 64), low = (ulong)address;
        uint top = (uint)(high >> (64 - IndexBits));
        int lo = Math.Max(_v6Index[top] - 1, 0);
        int n = _v6Index[top + 1] - lo;
        ulong[] highs = _v6High;
        while (n > 1)
        {
            int half = n >> 1;
            lo = highs[lo + half] <= high ? lo + half : lo;
            n -= half;
        }

        // lo is the last start whose high half is not above the address's. Starts sharing that high half (boundaries
        // inside one /64) are contiguous and ascending: walk back to the last one not above the address. Start 0 is
        // ::, so the walk stops there at the latest.
        ulong[] lows = _v6Low;
        while (highs[lo] == high && lows[lo] > low)
        {
            lo--;
        }

        return lo;
    }

    /// <summary>A copy of the IPv4 range starts (for tests and the benchmark's baseline).</summary>
    internal uint[] V4Starts => [.. _v4Packed.Select(static p => (uint)(p >> 32))];

    /// <summary>A copy of the IPv6 range starts (for tests and the benchmark's baseline).</summary>
    internal UInt128[] V6Starts => [.. _v6High.Select((h, i) => new UInt128(h, _v6Low[i]))];

    internal IpInfo RecordOfV4Range(int index) => _infos[(int)(uint)_v4Packed[index]];

    internal IpInfo RecordOfV6Range(int index) => _infos[_v6Records[index]];

    /// <summary>index[p] = the first range whose start's top bits are at least p; index[2^16] = the range count.</summary>
    private static int[] BuildIndex<T>(T[] starts, Func<T, uint> top)
    {
        var index = new int[(1 << IndexBits) + 1];
        int i = 0;
        for (uint p = 0; p < (1u << IndexBits); p++)
        {
            while (i < starts.Length && top(starts[i]) < p)
            {
                i++;
            }

            index[p] = i;
        }

        index[1 << IndexBits] = starts.Length;
        return index;
    }

    private static void CheckStarts<T>(T[] starts, string name, string family)
        where T : IComparable<T>
    {
        if (starts.Length == 0 || !EqualityComparer<T>.Default.Equals(starts[0], default!))
        {
            Fail(name, $"the {family} ranges must begin at address 0");
        }

        for (int i = 1; i < starts.Length; i++)
        {
            if (starts[i].CompareTo(starts[i - 1]) <= 0)
            {
                Fail(name, $"{family} range {i} does not start after range {i - 1} (starts must ascend)");
            }
        }
    }

    [DoesNotReturn]
    private static void Fail(string name, string fault) => throw new IpIntelDatabaseException(name, fault);

    /// <summary>Reads the payload's sections with bounds checks that name the section at fault.</summary>
    private ref struct PayloadReader(ReadOnlySpan<byte> payload, string name)
    {
        private readonly ReadOnlySpan<byte> _payload = payload;
        private int _position;

        public readonly bool AtEnd => _position == _payload.Length;

        public ReadOnlySpan<byte> Take(int count, string section)
        {
            if (count < 0 || _payload.Length - _position < count)
            {
                Fail(name, $"the {section} section is truncated");
            }

            ReadOnlySpan<byte> slice = _payload.Slice(_position, count);
            _position += count;
            return slice;
        }

        /// <summary>A u32 count whose items of <paramref name="itemSize"/> bytes must fit in what is left.</summary>
        public int Count(string section, int itemSize)
        {
            uint count = BinaryPrimitives.ReadUInt32LittleEndian(Take(4, section));
            if ((ulong)count * (ulong)itemSize > (ulong)(_payload.Length - _position))
            {
                Fail(name, $"the {section} section announces {count} entries, more than the file holds");
            }

            return (int)count;
        }

        public string[] Strings(string section)
        {
            int count = Count(section, 2);
            var strings = new string[count];
            for (int i = 0; i < count; i++)
            {
                int length = BinaryPrimitives.ReadUInt16LittleEndian(Take(2, section));
                strings[i] = Encoding.UTF8.GetString(Take(length, section));
            }

            return strings;
        }

        public int[] RecordIndexes(int count, int recordCount, string section)
        {
            var indexes = new int[count];
            for (int i = 0; i < count; i++)
            {
                uint index = BinaryPrimitives.ReadUInt32LittleEndian(Take(4, section));
                if (index >= (uint)recordCount)
                {
                    Fail(name, $"{section}: range {i} points at record {index}, beyond the {recordCount} records");
                }

                indexes[i] = (int)index;
            }

            return indexes;
        }
    }
}
