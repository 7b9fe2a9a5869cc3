using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Bulwark.Core.Intel.MaxMind;

/// <summary>
/// Reads a MaxMind DB (<c>.mmdb</c>) file as specified by the MaxMind DB File Format Specification 2.0: metadata, the
/// search tree of 24/28/32-bit records, and the data section. Safe for concurrent use; lookups allocate nothing.
/// </summary>
/// <remarks>
/// The file is read once into a managed array rather than memory-mapped: a GeoLite2 City file is 20–60 MB, reading it
/// takes tens of milliseconds, every access is bounds-checked managed memory (a corrupt offset is an exception, not an
/// access violation), and a lookup racing <see cref="Dispose"/> during a hot reload cannot touch an unmapped view.
/// </remarks>
public sealed class MaxMindDbReader : IDisposable
{
    /// <summary>The metadata section may be at most this large (marker included), so the marker is searched for there.</summary>
    public const int MaxMetadataSize = 128 * 1024;

    /// <summary>How deeply maps and arrays may nest in one value before the value is refused as a loop.</summary>
    public const int MaxDepth = 512;

    /// <summary>How many values one <see cref="Decode"/> may produce before the value is refused as a pointer bomb.</summary>
    public const int MaxValuesPerDecode = 1_000_000;

    private const int DataSectionSeparatorSize = 16;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly byte[] _file;
    private readonly int _dataStart;
    private readonly int _dataLength;
    private readonly uint _nodeCount;
    private readonly int _recordSize;
    private readonly int _ipVersion;
    private readonly uint _ipv4Start;
    private readonly int _ipv4StartDepth;

    // Keyed by the data-section offset of the string's control byte, so a string is materialised once per reader. Bound:
    // one entry per string field in the data section that a lookup has read (about 60 bytes plus the text each); the
    // file, not the traffic, fixes it. Writers that store each string once and point to it keep it small.
    private readonly ConcurrentDictionary<int, string> _strings = new();
    private bool _disposed;

    private MaxMindDbReader(byte[] file, string name)
    {
        _file = file;
        Name = name;
        Metadata = ReadMetadata(out var metadataMarkerStart);
        _nodeCount = Metadata.NodeCount;
        _recordSize = Metadata.RecordSize;
        _ipVersion = Metadata.IpVersion;

        var treeSize = Metadata.SearchTreeSize;
        if (treeSize + DataSectionSeparatorSize > metadataMarkerStart)
        {
            throw Fail(name, $"the search tree ({Metadata.NodeCount} nodes of {Metadata.RecordSize}-bit records, {treeSize} bytes) and its 16-byte separator run past the metadata, which starts at byte {metadataMarkerStart} of the file");
        }

        _dataStart = (int)treeSize + DataSectionSeparatorSize;
        _dataLength = metadataMarkerStart - _dataStart;

        (_ipv4Start, _ipv4StartDepth) = _ipVersion == 6 ? FindIPv4Start() : (0u, 0);
    }

    /// <summary>The path the reader was opened from, or the name given to <see cref="FromBytes"/>.</summary>
    public string Name { get; }

    /// <summary>The file's validated metadata.</summary>
    public MaxMindMetadata Metadata { get; }

    /// <summary>The size of the data section in bytes; record offsets are in [0, this).</summary>
    public int DataSectionSize => _dataLength;

    /// <summary>Opens and validates the file at <paramref name="path"/>, reading it once into memory.</summary>
    /// <exception cref="MaxMindDbException">The file is not a valid MaxMind DB 2.x file.</exception>
    /// <exception cref="IOException">The file cannot be read (missing, unreadable, or over 2 GiB).</exception>
    public static MaxMindDbReader Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new MaxMindDbReader(File.ReadAllBytes(path), path);
    }

    /// <summary>Validates an in-memory MaxMind DB file; the reader takes ownership of <paramref name="file"/>.</summary>
    /// <exception cref="MaxMindDbException">The bytes are not a valid MaxMind DB 2.x file.</exception>
    public static MaxMindDbReader FromBytes(byte[] file, string name = "(memory)")
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(name);
        return new MaxMindDbReader(file, name);
    }

    /// <summary>Releases the string cache; the reader refuses further use. Lookups already running finish safely.</summary>
    public void Dispose()
    {
        _disposed = true;
        _strings.Clear();
    }

    /// <summary>
    /// Finds the record for <paramref name="address"/> (IPv4, IPv6 or IPv4-mapped IPv6, which is looked up as IPv4).
    /// <paramref name="prefixLength"/> is the matched network's prefix in the looked-up family (0–32 for IPv4) — also
    /// when nothing is found, then it is the empty network's. An IPv6 address in an IPv4 database is not found. In an
    /// IPv6 database whose tree ends above <c>::/96</c>, every IPv4 address gets that one answer with prefix 0.
    /// </summary>
    /// <exception cref="MaxMindDbException">The search tree is corrupt (a record past the data section, or too deep).</exception>
    public bool TryFindRecord(IPAddress address, out int dataOffset, out int prefixLength)
    {
        ArgumentNullException.ThrowIfNull(address);
        Span<byte> bytes = stackalloc byte[16];
        if (!address.TryWriteBytes(bytes, out var written))
        {
            throw new ArgumentException("not an IPv4 or IPv6 address", nameof(address));
        }

        return TryFindRecord(bytes[..written], out dataOffset, out prefixLength);
    }

    /// <summary>The span form of <see cref="TryFindRecord(IPAddress, out int, out int)"/>: 4 or 16 network-order bytes.</summary>
    public bool TryFindRecord(ReadOnlySpan<byte> address, out int dataOffset, out int prefixLength)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (address.Length == 4)
        {
            return FindIPv4(BinaryPrimitives.ReadUInt32BigEndian(address), out dataOffset, out prefixLength);
        }

        if (address.Length != 16)
        {
            throw new ArgumentException("an address is 4 (IPv4) or 16 (IPv6) bytes", nameof(address));
        }

        var high = BinaryPrimitives.ReadUInt64BigEndian(address);
        var low = BinaryPrimitives.ReadUInt64BigEndian(address[8..]);
        if (high == 0 && (low >> 32) == 0xFFFF)
        {
            return FindIPv4((uint)low, out dataOffset, out prefixLength);
        }

        if (_ipVersion == 4)
        {
            dataOffset = -1;
            prefixLength = 0;
            return false;
        }

        return FindIPv6(high, low, out dataOffset, out prefixLength);
    }

    /// <summary>Finds <paramref name="address"/> and reads its record's fields without allocating.</summary>
    public bool TryLookup(IPAddress address, out MaxMindRecord record)
    {
        if (TryFindRecord(address, out var offset, out _))
        {
            record = ReadRecord(offset);
            return true;
        }

        record = default;
        return false;
    }

    /// <summary>The span form of <see cref="TryLookup(IPAddress, out MaxMindRecord)"/>.</summary>
    public bool TryLookup(ReadOnlySpan<byte> address, out MaxMindRecord record)
    {
        if (TryFindRecord(address, out var offset, out _))
        {
            record = ReadRecord(offset);
            return true;
        }

        record = default;
        return false;
    }

    /// <summary>Decodes the value at <paramref name="dataOffset"/> into a tree of plain objects (see remarks).</summary>
    /// <remarks>
    /// Map → <c>Dictionary&lt;string, object&gt;</c>, array → <c>List&lt;object&gt;</c>, UTF-8 string → <c>string</c>,
    /// double → <c>double</c>, float → <c>float</c>, bytes → <c>byte[]</c>, uint16 → <c>ushort</c>, uint32 → <c>uint</c>,
    /// int32 → <c>int</c>, uint64 → <c>ulong</c>, uint128 → <c>UInt128</c>, boolean → <c>bool</c>. Pointers are followed.
    /// A data cache container or end marker is not a value and is refused.
    /// </remarks>
    /// <exception cref="MaxMindDbException">The data is malformed, loops or points outside the data section.</exception>
    public object Decode(int dataOffset)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        CheckDataOffset(dataOffset);
        var budget = MaxValuesPerDecode;
        var offset = dataOffset;
        return DecodeValue(DataSection, false, ref offset, 0, ref budget);
    }

    /// <summary>
    /// Reads the fields of <see cref="MaxMindRecord"/> from the map at <paramref name="dataOffset"/> without allocating
    /// (after each string's first read). A record that is not a map yields an empty record.
    /// </summary>
    /// <exception cref="MaxMindDbException">The data is malformed or points outside the data section.</exception>
    public MaxMindRecord ReadRecord(int dataOffset)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        CheckDataOffset(dataOffset);
        var data = DataSection;
        var offset = Deref(data, false, dataOffset);
        var type = ReadControl(data, false, ref offset, out var count);
        if (type != MaxMindDataType.Map)
        {
            return default;
        }

        string? country = null, city = null, organisation = null;
        double latitude = 0, longitude = 0;
        bool hasLatitude = false, hasLongitude = false;
        int accuracy = 0;
        uint asn = 0;
        var flags = MaxMindAnonymousFlags.None;

        for (var i = 0; i < count; i++)
        {
            var key = ReadKey(data, ref offset);
            var value = Deref(data, false, offset);
            offset = Skip(data, offset, 0);

            switch (key.Length)
            {
                case 4 when key.SequenceEqual("city"u8):
                    if (PeekType(data, value) == MaxMindDataType.Map)
                    {
                        var names = FindInMap(data, value, "names"u8);
                        var en = names < 0 ? -1 : FindInMap(data, names, "en"u8);
                        city = en < 0 ? city : ReadString(data, en);
                    }
                    else
                    {
                        city = ReadString(data, value);
                    }

                    break;
                case 7 when key.SequenceEqual("country"u8):
                    var iso = FindInMap(data, value, "iso_code"u8);
                    country = iso < 0 ? country : ReadString(data, iso);
                    break;
                case 12 when key.SequenceEqual("country_code"u8):
                    country = ReadString(data, value);
                    break;
                case 8 when key.SequenceEqual("location"u8):
                    ReadLocation(data, value, ref latitude, ref hasLatitude, ref longitude, ref hasLongitude, ref accuracy);
                    break;
                case 8 when key.SequenceEqual("latitude"u8):
                    hasLatitude = TryReadNumber(data, value, out latitude);
                    break;
                case 9 when key.SequenceEqual("longitude"u8):
                    hasLongitude = TryReadNumber(data, value, out longitude);
                    break;
                case 24 when key.SequenceEqual("autonomous_system_number"u8):
                    asn = TryReadNumber(data, value, out var number) ? (uint)number : 0;
                    break;
                case 30 when key.SequenceEqual("autonomous_system_organization"u8):
                    organisation = ReadString(data, value);
                    break;
                case > 3 when key.StartsWith("is_"u8):
                    flags |= ReadFlag(data, key, value);
                    break;
                default:
                    break;
            }
        }

        // The ip-location-db files write "" for an unknown city or country; unknown is null in Bulwark.
        return new MaxMindRecord
        {
            CountryIsoCode = string.IsNullOrEmpty(country) ? null : country,
            CityName = string.IsNullOrEmpty(city) ? null : city,
            HasLocation = hasLatitude && hasLongitude,
            Latitude = latitude,
            Longitude = longitude,
            AccuracyRadiusKm = accuracy,
            AutonomousSystemNumber = asn,
            AutonomousSystemOrganization = organisation,
            Anonymous = flags,
        };
    }

    /// <summary>
    /// Every network in the search tree that has data, in ascending address order, with its record's data offset.
    /// In an IPv6 database the IPv4 subtree <c>::/96</c> is yielded as IPv4 networks.
    /// </summary>
    /// <param name="skipAliases">
    /// In an IPv6 database, skip every subtree that leads back to the IPv4 subtree's root node from anywhere but
    /// <c>::/96</c> — MaxMind's writers alias <c>::ffff:0:0/96</c> (IPv4-mapped), <c>2001::/32</c> (Teredo) and
    /// <c>2002::/16</c> (6to4) this way — so each IPv4 network is yielded once. This is the rule of the Go reader's
    /// <c>Networks(SkipAliasedNetworks)</c>: it recognises aliases by node, not by a hard-coded list of prefixes.
    /// </param>
    /// <exception cref="MaxMindDbException">The tree is deeper than an address or is not a tree.</exception>
    public IEnumerable<MaxMindNetwork> EnumerateNetworks(bool skipAliases = true)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return EnumerateNetworksCore(skipAliases);
    }

    private IEnumerable<MaxMindNetwork> EnumerateNetworksCore(bool skipAliases)
    {
        var bits = _ipVersion == 6 ? 128 : 32;

        // A well-formed tree expands each node once (plus the IPv4 subtree up to three more times through its aliases);
        // anything beyond that is a tree whose records point back up, which would otherwise enumerate forever.
        var budget = ((long)_nodeCount * 4) + 1;
        var stack = new Stack<(uint Node, UInt128 Address, int Depth)>(bits + 1);
        stack.Push((0, UInt128.Zero, 0));
        while (stack.Count > 0)
        {
            var (node, address, depth) = stack.Pop();
            if (node == _nodeCount)
            {
                continue;
            }

            if (node > _nodeCount)
            {
                var offset = ToDataOffset(node);
                yield return _ipVersion == 6 && depth >= 96 && (address >> 32) == UInt128.Zero
                    ? new MaxMindNetwork(address, depth - 96, true, offset)
                    : new MaxMindNetwork(address, depth, _ipVersion == 4, offset);
                continue;
            }

            if (skipAliases && _ipVersion == 6 && node == _ipv4Start && _ipv4StartDepth == 96 && (address >> 32) != UInt128.Zero)
            {
                continue;
            }

            if (depth == bits)
            {
                throw Fail(Name, $"the search tree is deeper than {bits} bits: node {node} hangs below a full-length address");
            }

            if (--budget < 0)
            {
                throw Fail(Name, $"the search tree is not a tree: enumerating it expanded more than 4 × node_count ({_nodeCount}) nodes");
            }

            var bit = UInt128.One << (bits - 1 - depth);
            stack.Push((ReadNodeRecord(node, 1), address | bit, depth + 1));
            stack.Push((ReadNodeRecord(node, 0), address, depth + 1));
        }
    }

    private ReadOnlySpan<byte> DataSection => _file.AsSpan(_dataStart, _dataLength);

    private void CheckDataOffset(int dataOffset)
    {
        if ((uint)dataOffset >= (uint)_dataLength)
        {
            ThrowDataOffsetOutOfRange(dataOffset);
        }
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private void ThrowDataOffsetOutOfRange(int dataOffset) =>
        throw new ArgumentOutOfRangeException(nameof(dataOffset), dataOffset, $"a data offset is in [0, {_dataLength}), the data section of '{Name}'");

    private bool FindIPv4(uint address, out int dataOffset, out int prefixLength)
    {
        uint node;
        if (_ipVersion == 6)
        {
            node = _ipv4Start;
            if (_ipv4StartDepth < 96)
            {
                // The IPv6 tree answers all of ::/96 (so all of IPv4) with one record above the IPv4 subtree.
                prefixLength = 0;
                return Leaf(node, out dataOffset);
            }
        }
        else
        {
            node = 0;
        }

        var depth = 0;
        var nodeCount = _nodeCount;
        switch (_recordSize)
        {
            case 24:
                for (; depth < 32 && node < nodeCount; depth++)
                {
                    node = Read24(node, (int)(address >> (31 - depth)) & 1);
                }

                break;
            case 28:
                for (; depth < 32 && node < nodeCount; depth++)
                {
                    node = Read28(node, (int)(address >> (31 - depth)) & 1);
                }

                break;
            default:
                for (; depth < 32 && node < nodeCount; depth++)
                {
                    node = Read32(node, (int)(address >> (31 - depth)) & 1);
                }

                break;
        }

        prefixLength = depth;
        return Leaf(node, out dataOffset);
    }

    private bool FindIPv6(ulong high, ulong low, out int dataOffset, out int prefixLength)
    {
        uint node = 0;
        var depth = 0;
        var nodeCount = _nodeCount;

        // One loop per record size keeps the switch out of the up-to-128 dependent steps.
        switch (_recordSize)
        {
            case 24:
                for (; depth < 128 && node < nodeCount; depth++)
                {
                    node = Read24(node, Bit(high, low, depth));
                }

                break;
            case 28:
                for (; depth < 128 && node < nodeCount; depth++)
                {
                    node = Read28(node, Bit(high, low, depth));
                }

                break;
            default:
                for (; depth < 128 && node < nodeCount; depth++)
                {
                    node = Read32(node, Bit(high, low, depth));
                }

                break;
        }

        prefixLength = depth;
        return Leaf(node, out dataOffset);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Bit(ulong high, ulong low, int depth) => (int)((depth < 64 ? high << depth : low << (depth - 64)) >> 63);

    private bool Leaf(uint record, out int dataOffset)
    {
        if (record > _nodeCount)
        {
            dataOffset = ToDataOffset(record);
            return true;
        }

        if (record < _nodeCount)
        {
            throw Fail(Name, $"the search tree is deeper than an address: a full-length lookup ended on node {record}");
        }

        dataOffset = -1;
        return false;
    }

    private int ToDataOffset(uint record)
    {
        var offset = (long)record - _nodeCount - DataSectionSeparatorSize;
        if (offset < 0 || offset >= _dataLength)
        {
            ThrowRecordOutOfRange(record);
        }

        return (int)offset;
    }

    private (uint Node, int Depth) FindIPv4Start()
    {
        uint node = 0;
        var depth = 0;
        for (; depth < 96 && node < _nodeCount; depth++)
        {
            node = ReadNodeRecord(node, 0);
        }

        return (node, depth);
    }

    private uint ReadNodeRecord(uint node, int side) => _recordSize switch
    {
        24 => Read24(node, side),
        28 => Read28(node, side),
        _ => Read32(node, side),
    };

    // The node is below node_count and the tree was checked to lie inside the file, so these reads are in bounds.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private uint Read24(uint node, int side)
    {
        ref var b = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_file), (nint)(((ulong)node * 6) + (uint)(side * 3)));
        return ((uint)b << 16) | ((uint)Unsafe.Add(ref b, 1) << 8) | Unsafe.Add(ref b, 2);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private uint Read28(uint node, int side)
    {
        ref var b = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_file), (nint)((ulong)node * 7));
        uint middle = Unsafe.Add(ref b, 3);
        if (side == 0)
        {
            return ((middle & 0xF0) << 20) | ((uint)b << 16) | ((uint)Unsafe.Add(ref b, 1) << 8) | Unsafe.Add(ref b, 2);
        }

        return ((middle & 0x0F) << 24) | ((uint)Unsafe.Add(ref b, 4) << 16) | ((uint)Unsafe.Add(ref b, 5) << 8) | Unsafe.Add(ref b, 6);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private uint Read32(uint node, int side)
    {
        ref var b = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_file), (nint)(((ulong)node * 8) + (uint)(side * 4)));
        return BinaryPrimitives.ReverseEndianness(Unsafe.ReadUnaligned<uint>(ref b));
    }

    // ---- Metadata ----

    private static ReadOnlySpan<byte> MetadataMarker => [0xAB, 0xCD, 0xEF, (byte)'M', (byte)'a', (byte)'x', (byte)'M', (byte)'i', (byte)'n', (byte)'d', (byte)'.', (byte)'c', (byte)'o', (byte)'m'];

    private MaxMindMetadata ReadMetadata(out int markerStart)
    {
        var file = _file;
        var name = Name;
        var searchFrom = Math.Max(0, file.Length - MaxMetadataSize);
        var found = file.AsSpan(searchFrom).LastIndexOf(MetadataMarker);
        if (found < 0)
        {
            throw Fail(name, file.Length < MetadataMarker.Length
                ? $"the file is {file.Length} bytes, too short to hold the metadata marker"
                : "no metadata marker \\xAB\\xCD\\xEFMaxMind.com in the last 128 KiB: not a MaxMind DB file, or truncated");
        }

        markerStart = searchFrom + found;
        // The metadata is decoded like the data section, with pointers relative to the metadata's start.
        var offset = 0;
        var budget = MaxValuesPerDecode;
        object value;
        try
        {
            value = DecodeValue(file.AsSpan(markerStart + MetadataMarker.Length), true, ref offset, 0, ref budget);
        }
        catch (MaxMindDbException e)
        {
            throw new MaxMindDbException($"MaxMind DB '{name}': the metadata cannot be decoded: {e.Message}", e);
        }

        if (value is not Dictionary<string, object> map)
        {
            throw Fail(name, $"the metadata is a {Describe(value)}, not a map");
        }

        var major = RequiredInteger(map, name, "binary_format_major_version");
        var minor = RequiredInteger(map, name, "binary_format_minor_version");
        if (major != 2)
        {
            throw Fail(name, $"binary format version {major}.{minor} is not supported (this reader reads 2.x)");
        }

        var recordSize = RequiredInteger(map, name, "record_size");
        if (recordSize is not (24 or 28 or 32))
        {
            throw Fail(name, $"record_size {recordSize} is not supported (24, 28 or 32 bits)");
        }

        var ipVersion = RequiredInteger(map, name, "ip_version");
        if (ipVersion is not (4 or 6))
        {
            throw Fail(name, $"ip_version {ipVersion} is neither 4 nor 6");
        }

        var nodeCount = RequiredInteger(map, name, "node_count");
        if (nodeCount > uint.MaxValue)
        {
            throw Fail(name, $"node_count {nodeCount} does not fit 32 bits");
        }

        if (!map.TryGetValue("database_type", out var type) || type is not string databaseType)
        {
            throw Fail(name, "the metadata has no database_type string");
        }

        var languages = new List<string>();
        if (map.TryGetValue("languages", out var langs))
        {
            if (langs is not List<object> list || list.Any(l => l is not string))
            {
                throw Fail(name, "the metadata's languages is not an array of strings");
            }

            languages.AddRange(list.Cast<string>());
        }

        var description = new Dictionary<string, string>(StringComparer.Ordinal);
        if (map.TryGetValue("description", out var desc))
        {
            if (desc is not Dictionary<string, object> descriptions || descriptions.Values.Any(d => d is not string))
            {
                throw Fail(name, "the metadata's description is not a map of strings");
            }

            foreach (var (language, text) in descriptions)
            {
                description[language] = (string)text;
            }
        }

        return new MaxMindMetadata
        {
            NodeCount = (uint)nodeCount,
            RecordSize = (int)recordSize,
            IpVersion = (int)ipVersion,
            DatabaseType = databaseType,
            Languages = languages,
            BinaryFormatMajorVersion = (int)major,
            BinaryFormatMinorVersion = (int)Math.Min(minor, int.MaxValue),
            BuildEpoch = RequiredInteger(map, name, "build_epoch"),
            Description = description,
        };
    }

    private static ulong RequiredInteger(Dictionary<string, object> map, string name, string key)
    {
        if (!map.TryGetValue(key, out var value))
        {
            throw Fail(name, $"the metadata has no {key}");
        }

        return value switch
        {
            ushort v => v,
            uint v => v,
            ulong v => v,
            int v and >= 0 => (ulong)v,
            UInt128 v when v <= ulong.MaxValue => (ulong)v,
            _ => throw Fail(name, $"the metadata's {key} is a {Describe(value)}, not an unsigned integer"),
        };
    }

    private static string Describe(object value) => value switch
    {
        Dictionary<string, object> => "map",
        List<object> => "array",
        string => "string",
        byte[] => "bytes",
        _ => value.GetType().Name,
    };

    // ---- Data section ----

    private object DecodeValue(ReadOnlySpan<byte> s, bool metadata, ref int offset, int depth, ref int budget)
    {
        if (--budget < 0)
        {
            throw Fail(Name, $"decoding the value expanded more than {MaxValuesPerDecode} values (a pointer bomb)");
        }

        var start = offset;
        var type = ReadControl(s, metadata, ref offset, out var size);
        if (type == MaxMindDataType.Pointer)
        {
            var target = ReadPointer(s, metadata, start, ref offset);
            return DecodeValue(s, metadata, ref target, depth, ref budget);
        }

        switch (type)
        {
            case MaxMindDataType.Utf8String:
                var text = ReadStringAt(s, metadata, start, offset, size);
                offset += size;
                return text;
            case MaxMindDataType.Double:
                CheckSize(s, metadata, start, type, size, 8, 8, offset);
                offset += 8;
                return BinaryPrimitives.ReadDoubleBigEndian(s.Slice(offset - 8, 8));
            case MaxMindDataType.Float:
                CheckSize(s, metadata, start, type, size, 4, 4, offset);
                offset += 4;
                return BinaryPrimitives.ReadSingleBigEndian(s.Slice(offset - 4, 4));
            case MaxMindDataType.Bytes:
                CheckPayload(s, metadata, start, offset, size);
                offset += size;
                return s.Slice(offset - size, size).ToArray();
            case MaxMindDataType.UInt16:
                return (ushort)ReadUnsigned(s, metadata, start, type, ref offset, size, 2);
            case MaxMindDataType.UInt32:
                return (uint)ReadUnsigned(s, metadata, start, type, ref offset, size, 4);
            case MaxMindDataType.Int32:
                return unchecked((int)(uint)ReadUnsigned(s, metadata, start, type, ref offset, size, 4));
            case MaxMindDataType.UInt64:
                return (ulong)ReadUnsigned(s, metadata, start, type, ref offset, size, 8);
            case MaxMindDataType.UInt128:
                return ReadUnsigned(s, metadata, start, type, ref offset, size, 16);
            case MaxMindDataType.Boolean:
                CheckSize(s, metadata, start, type, size, 0, 1, offset);
                return size == 1;
            case MaxMindDataType.Map:
                return DecodeMap(s, metadata, start, ref offset, size, depth, ref budget);
            case MaxMindDataType.Array:
                CheckDepthAndCount(s, metadata, start, offset, size, depth, 1);
                var list = new List<object>(size);
                for (var i = 0; i < size; i++)
                {
                    list.Add(DecodeValue(s, metadata, ref offset, depth + 1, ref budget));
                }

                return list;
            default:
                throw Fail(Name, $"{Where(metadata, start)} holds a {type}, which is not a value");
        }
    }

    private Dictionary<string, object> DecodeMap(ReadOnlySpan<byte> s, bool metadata, int start, ref int offset, int count, int depth, ref int budget)
    {
        CheckDepthAndCount(s, metadata, start, offset, count, depth, 2);
        var map = new Dictionary<string, object>(count, StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var keyStart = offset;
            var keyOffset = Deref(s, metadata, offset);
            offset = Skip(s, metadata, offset, depth + 1);
            var key = DecodeValue(s, metadata, ref keyOffset, depth + 1, ref budget);
            if (key is not string name)
            {
                throw Fail(Name, $"{Where(metadata, keyStart)}: a map key is a {Describe(key)}, not a UTF-8 string");
            }

            var value = DecodeValue(s, metadata, ref offset, depth + 1, ref budget);
            if (!map.TryAdd(name, value))
            {
                throw Fail(Name, $"{Where(metadata, keyStart)}: the map at offset {start} has the key '{name}' twice");
            }
        }

        return map;
    }

    private void CheckDepthAndCount(ReadOnlySpan<byte> s, bool metadata, int start, int offset, int count, int depth, int minBytesPerItem)
    {
        if (depth >= MaxDepth)
        {
            throw Fail(Name, $"{Where(metadata, start)}: maps and arrays nest deeper than {MaxDepth} (a pointer loop?)");
        }

        if ((long)count * minBytesPerItem > s.Length - offset)
        {
            throw Fail(Name, $"{Where(metadata, start)}: a container of {count} items cannot fit in the {s.Length - offset} bytes left in the section");
        }
    }

    private UInt128 ReadUnsigned(ReadOnlySpan<byte> s, bool metadata, int start, MaxMindDataType type, ref int offset, int size, int maxSize)
    {
        CheckSize(s, metadata, start, type, size, 0, maxSize, offset);
        var value = UInt128.Zero;
        for (var i = 0; i < size; i++)
        {
            value = (value << 8) | s[offset + i];
        }

        offset += size;
        return value;
    }

    private void CheckSize(ReadOnlySpan<byte> s, bool metadata, int start, MaxMindDataType type, int size, int min, int max, int payload)
    {
        if (size < min || size > max)
        {
            throw Fail(Name, $"{Where(metadata, start)}: a {type} of {size} bytes (it takes {(min == max ? min.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{min}–{max}")})");
        }

        if (type != MaxMindDataType.Boolean)
        {
            CheckPayload(s, metadata, start, payload, size);
        }
    }

    private void CheckPayload(ReadOnlySpan<byte> s, bool metadata, int start, int payload, int size)
    {
        if ((long)payload + size > s.Length)
        {
            ThrowPastEnd(metadata, start, size, s.Length);
        }
    }

    private string ReadStringAt(ReadOnlySpan<byte> s, bool metadata, int start, int payload, int size)
    {
        CheckPayload(s, metadata, start, payload, size);
        if (!metadata && _strings.TryGetValue(start, out var cached))
        {
            return cached;
        }

        string text;
        try
        {
            text = size == 0 ? string.Empty : StrictUtf8.GetString(s.Slice(payload, size));
        }
        catch (DecoderFallbackException e)
        {
            throw new MaxMindDbException($"MaxMind DB '{Name}': {Where(metadata, start)}: the string is not valid UTF-8", e);
        }

        return metadata ? text : _strings.GetOrAdd(start, text);
    }

    /// <summary>Reads a control byte (and extended type and size bytes); for pointers <paramref name="size"/> is the raw 5 bits.</summary>
    private MaxMindDataType ReadControl(ReadOnlySpan<byte> s, bool metadata, ref int offset, out int size)
    {
        var start = offset;
        if ((uint)offset >= (uint)s.Length)
        {
            throw Fail(Name, $"{Where(metadata, start)} is past the end of the {SectionName(metadata)} ({s.Length} bytes)");
        }

        var control = s[offset++];
        var type = control >> 5;
        size = control & 0x1F;
        if (type == (int)MaxMindDataType.Pointer)
        {
            return MaxMindDataType.Pointer;
        }

        if (type == (int)MaxMindDataType.Extended)
        {
            if (offset >= s.Length)
            {
                ThrowPastEnd(metadata, start, 1, s.Length);
            }

            var extended = s[offset++];
            if (extended is 0 or > 8)
            {
                throw Fail(Name, $"{Where(metadata, start)}: extended type byte {extended} names type {extended + 7}, which does not exist (8–15)");
            }

            type = extended + 7;
        }

        if (size >= 29)
        {
            var extra = size - 28;
            if (offset + extra > s.Length)
            {
                ThrowPastEnd(metadata, start, extra, s.Length);
            }

            size = extra switch
            {
                1 => 29 + s[offset],
                2 => 285 + ((s[offset] << 8) | s[offset + 1]),
                _ => 65_821 + ((s[offset] << 16) | (s[offset + 1] << 8) | s[offset + 2]),
            };
            offset += extra;
        }

        return (MaxMindDataType)type;
    }

    /// <summary>Reads the pointer whose control byte is at <paramref name="start"/>; returns its checked target.</summary>
    private int ReadPointer(ReadOnlySpan<byte> s, bool metadata, int start, ref int offset)
    {
        var control = s[start];
        var sizeClass = (control >> 3) & 0x3;
        var length = sizeClass + 1;
        if (offset + length > s.Length)
        {
            ThrowPastEnd(metadata, start, length, s.Length);
        }

        var p = s.Slice(offset, length);
        long target = sizeClass switch
        {
            0 => ((control & 0x7) << 8) | p[0],
            1 => 2048 + (((control & 0x7) << 16) | (p[0] << 8) | p[1]),
            2 => 526_336 + (((control & 0x7) << 24) | (p[0] << 16) | (p[1] << 8) | p[2]),
            _ => BinaryPrimitives.ReadUInt32BigEndian(p),
        };
        offset += length;
        if (target >= s.Length)
        {
            throw Fail(Name, $"{Where(metadata, start)}: a pointer to offset {target}, past the end of the {SectionName(metadata)} ({s.Length} bytes)");
        }

        if (s[(int)target] >> 5 == (int)MaxMindDataType.Pointer)
        {
            throw Fail(Name, $"{Where(metadata, start)}: a pointer to offset {target}, which is another pointer (not allowed)");
        }

        return (int)target;
    }

    /// <summary>The offset of the value at <paramref name="offset"/>, following one pointer.</summary>
    private int Deref(ReadOnlySpan<byte> s, bool metadata, int offset)
    {
        if ((uint)offset >= (uint)s.Length)
        {
            throw Fail(Name, $"{Where(metadata, offset)} is past the end of the {SectionName(metadata)} ({s.Length} bytes)");
        }

        if (s[offset] >> 5 != (int)MaxMindDataType.Pointer)
        {
            return offset;
        }

        var cursor = offset + 1;
        return ReadPointer(s, metadata, offset, ref cursor);
    }

    private int Skip(ReadOnlySpan<byte> s, int offset, int depth) => Skip(s, false, offset, depth);

    /// <summary>The offset just past the field at <paramref name="offset"/>, without following pointers.</summary>
    private int Skip(ReadOnlySpan<byte> s, bool metadata, int offset, int depth)
    {
        var start = offset;
        var type = ReadControl(s, metadata, ref offset, out var size);
        switch (type)
        {
            case MaxMindDataType.Pointer:
                var length = ((size >> 3) & 0x3) + 1;
                if (offset + length > s.Length)
                {
                    ThrowPastEnd(metadata, start, length, s.Length);
                }

                return offset + length;
            case MaxMindDataType.Map or MaxMindDataType.Array:
                var perItem = type == MaxMindDataType.Map ? 2 : 1;
                CheckDepthAndCount(s, metadata, start, offset, size, depth, perItem);
                for (var i = 0; i < size * perItem; i++)
                {
                    offset = Skip(s, metadata, offset, depth + 1);
                }

                return offset;
            case MaxMindDataType.Boolean:
                return offset;
            case MaxMindDataType.DataCacheContainer or MaxMindDataType.EndMarker:
                throw Fail(Name, $"{Where(metadata, start)} holds a {type}, which is not a value");
            default:
                CheckPayload(s, metadata, start, offset, size);
                return offset + size;
        }
    }

    private ReadOnlySpan<byte> ReadKey(ReadOnlySpan<byte> s, ref int offset)
    {
        var keyStart = offset;
        var key = Deref(s, false, offset);
        offset = Skip(s, offset, 1);
        var payload = key;
        var type = ReadControl(s, false, ref payload, out var size);
        if (type != MaxMindDataType.Utf8String)
        {
            throw Fail(Name, $"{Where(false, keyStart)}: a map key is a {type}, not a UTF-8 string");
        }

        CheckPayload(s, false, key, payload, size);
        return s.Slice(payload, size);
    }

    private MaxMindDataType PeekType(ReadOnlySpan<byte> s, int offset)
    {
        var cursor = offset;
        return ReadControl(s, false, ref cursor, out _);
    }

    /// <summary>The (dereferenced) offset of <paramref name="key"/>'s value in the map at <paramref name="map"/>, or -1.</summary>
    private int FindInMap(ReadOnlySpan<byte> s, int map, ReadOnlySpan<byte> key)
    {
        var offset = map;
        if (ReadControl(s, false, ref offset, out var count) != MaxMindDataType.Map)
        {
            return -1;
        }

        for (var i = 0; i < count; i++)
        {
            var name = ReadKey(s, ref offset);
            if (name.SequenceEqual(key))
            {
                return Deref(s, false, offset);
            }

            offset = Skip(s, offset, 1);
        }

        return -1;
    }

    private string? ReadString(ReadOnlySpan<byte> s, int offset)
    {
        var payload = offset;
        return ReadControl(s, false, ref payload, out var size) == MaxMindDataType.Utf8String
            ? ReadStringAt(s, false, offset, payload, size)
            : null;
    }

    private bool TryReadNumber(ReadOnlySpan<byte> s, int offset, out double value)
    {
        var start = offset;
        var type = ReadControl(s, false, ref offset, out var size);
        switch (type)
        {
            case MaxMindDataType.Double:
                CheckSize(s, false, start, type, size, 8, 8, offset);
                value = BinaryPrimitives.ReadDoubleBigEndian(s.Slice(offset, 8));
                return true;
            case MaxMindDataType.Float:
                CheckSize(s, false, start, type, size, 4, 4, offset);
                value = BinaryPrimitives.ReadSingleBigEndian(s.Slice(offset, 4));
                return true;
            case MaxMindDataType.UInt16 or MaxMindDataType.UInt32 or MaxMindDataType.UInt64:
                value = (double)ReadUnsigned(s, false, start, type, ref offset, size, type == MaxMindDataType.UInt16 ? 2 : type == MaxMindDataType.UInt32 ? 4 : 8);
                return true;
            case MaxMindDataType.Int32:
                value = unchecked((int)(uint)ReadUnsigned(s, false, start, type, ref offset, size, 4));
                return true;
            default:
                value = 0;
                return false;
        }
    }

    private void ReadLocation(ReadOnlySpan<byte> s, int map, ref double latitude, ref bool hasLatitude, ref double longitude, ref bool hasLongitude, ref int accuracy)
    {
        var offset = map;
        if (ReadControl(s, false, ref offset, out var count) != MaxMindDataType.Map)
        {
            return;
        }

        for (var i = 0; i < count; i++)
        {
            var key = ReadKey(s, ref offset);
            var value = Deref(s, false, offset);
            offset = Skip(s, offset, 1);
            if (key.SequenceEqual("latitude"u8))
            {
                hasLatitude = TryReadNumber(s, value, out latitude);
            }
            else if (key.SequenceEqual("longitude"u8))
            {
                hasLongitude = TryReadNumber(s, value, out longitude);
            }
            else if (key.SequenceEqual("accuracy_radius"u8))
            {
                accuracy = TryReadNumber(s, value, out var radius) ? (int)radius : 0;
            }
        }
    }

    private MaxMindAnonymousFlags ReadFlag(ReadOnlySpan<byte> s, ReadOnlySpan<byte> key, int value)
    {
        MaxMindAnonymousFlags flag;
        if (key.SequenceEqual("is_anonymous"u8))
        {
            flag = MaxMindAnonymousFlags.Anonymous;
        }
        else if (key.SequenceEqual("is_anonymous_vpn"u8))
        {
            flag = MaxMindAnonymousFlags.AnonymousVpn;
        }
        else if (key.SequenceEqual("is_hosting_provider"u8))
        {
            flag = MaxMindAnonymousFlags.HostingProvider;
        }
        else if (key.SequenceEqual("is_public_proxy"u8))
        {
            flag = MaxMindAnonymousFlags.PublicProxy;
        }
        else if (key.SequenceEqual("is_tor_exit_node"u8))
        {
            flag = MaxMindAnonymousFlags.TorExitNode;
        }
        else if (key.SequenceEqual("is_residential_proxy"u8))
        {
            flag = MaxMindAnonymousFlags.ResidentialProxy;
        }
        else
        {
            return MaxMindAnonymousFlags.None;
        }

        var cursor = value;
        var type = ReadControl(s, false, ref cursor, out var size);
        return type == MaxMindDataType.Boolean && size == 1 ? flag : MaxMindAnonymousFlags.None;
    }

    // ---- Errors ----

    private static string SectionName(bool metadata) => metadata ? "metadata" : "data section";

    private static string Where(bool metadata, int offset) => $"{(metadata ? "metadata" : "data")} offset {offset}";

    private static MaxMindDbException Fail(string name, string what) => new($"MaxMind DB '{name}': {what}");

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private void ThrowPastEnd(bool metadata, int start, int size, int sectionLength) =>
        throw Fail(Name, $"{Where(metadata, start)}: a field of {size} bytes runs past the end of the {SectionName(metadata)} ({sectionLength} bytes)");

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private void ThrowRecordOutOfRange(uint record) =>
        throw Fail(Name, $"a search tree record ({record}) points past the end of the data section ({_dataLength} bytes; node_count {_nodeCount})");
}
