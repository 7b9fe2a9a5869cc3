using System.Diagnostics;
using System.Net;
using Bulwark.Core.Intel.MaxMind;

namespace Bulwark.Core.Tests.Intel.MaxMind;

/// <summary>Every malformed file gives a <see cref="MaxMindDbException"/> naming the file and the fault; none crashes or hangs.</summary>
[Collection(MaxMindTestCollection.Name)]
public sealed class MaxMindDbMalformedTests
{
    private const string Name = "bad.mmdb";

    [Fact]
    public void A_file_without_the_metadata_marker_is_refused()
    {
        var e = Assert.Throws<MaxMindDbException>(() => MaxMindDbReader.FromBytes(new byte[4096], Name));
        Assert.Contains("'bad.mmdb'", e.Message, StringComparison.Ordinal);
        Assert.Contains("no metadata marker", e.Message, StringComparison.Ordinal);

        var tiny = Assert.Throws<MaxMindDbException>(() => MaxMindDbReader.FromBytes([1, 2, 3], Name));
        Assert.Contains("too short", tiny.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_wrong_marker_is_refused()
    {
        var file = Valid();
        var marker = LastMarker(file);
        file[marker + 4] = (byte)'m'; // "\xAB\xCD\xEFmaxMind.com"
        var e = Assert.Throws<MaxMindDbException>(() => MaxMindDbReader.FromBytes(file, Name));
        Assert.Contains("no metadata marker", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_marker_beyond_the_last_128_KiB_is_not_found()
    {
        var writer = new MmdbWriter(4, 24);
        writer.Insert("1.0.0.0/8", writer.Add(Mmdb.String("a")));
        var file = writer.Build().Concat(new byte[MaxMindDbReader.MaxMetadataSize]).ToArray();
        Assert.Throws<MaxMindDbException>(() => MaxMindDbReader.FromBytes(file, Name));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(20)]
    [InlineData(60)]
    public void A_file_truncated_anywhere_is_refused(int keepPercent)
    {
        var file = Valid();
        var truncated = file.AsSpan(0, file.Length * keepPercent / 100).ToArray();
        var e = Assert.Throws<MaxMindDbException>(() => MaxMindDbReader.FromBytes(truncated, Name));
        Assert.Contains("'bad.mmdb'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_truncated_inside_the_metadata_is_refused()
    {
        var file = Valid();
        var truncated = file.AsSpan(0, LastMarker(file) + 14 + 20).ToArray();
        var e = Assert.Throws<MaxMindDbException>(() => MaxMindDbReader.FromBytes(truncated, Name));
        Assert.Contains("metadata cannot be decoded", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Record_size_20_is_refused()
    {
        var writer = new MmdbWriter(4, 24);
        writer.Insert("1.0.0.0/8", writer.Add(Mmdb.String("a")));
        var e = Assert.Throws<MaxMindDbException>(() => MaxMindDbReader.FromBytes(writer.Build(metadataRecordSize: 20), Name));
        Assert.Contains("record_size 20 is not supported", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Format_version_3_is_refused()
    {
        var writer = new MmdbWriter(4, 24);
        writer.Insert("1.0.0.0/8", writer.Add(Mmdb.String("a")));
        var e = Assert.Throws<MaxMindDbException>(() => MaxMindDbReader.FromBytes(writer.Build(n => Mmdb.Metadata(n, 24, 4, major: 3)), Name));
        Assert.Contains("binary format version 3.0 is not supported", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_metadata_keys_and_bad_ip_versions_are_named()
    {
        var writer = new MmdbWriter(4, 24);
        writer.Insert("1.0.0.0/8", writer.Add(Mmdb.String("a")));
        var noNodes = Assert.Throws<MaxMindDbException>(() => MaxMindDbReader.FromBytes(writer.Build(_ => Mmdb.Map(("binary_format_major_version", Mmdb.UInt16(2)), ("binary_format_minor_version", Mmdb.UInt16(0)), ("record_size", Mmdb.UInt16(24)), ("ip_version", Mmdb.UInt16(4)))), Name));
        Assert.Contains("no node_count", noNodes.Message, StringComparison.Ordinal);
        var badVersion = Assert.Throws<MaxMindDbException>(() => MaxMindDbReader.FromBytes(writer.Build(n => Mmdb.Metadata(n, 24, 5)), Name));
        Assert.Contains("ip_version 5", badVersion.Message, StringComparison.Ordinal);
        var notMap = Assert.Throws<MaxMindDbException>(() => MaxMindDbReader.FromBytes(writer.Build(_ => Mmdb.String("metadata")), Name));
        Assert.Contains("not a map", notMap.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_node_count_past_the_end_of_the_file_is_refused()
    {
        var writer = new MmdbWriter(4, 24);
        writer.Insert("1.0.0.0/8", writer.Add(Mmdb.String("a")));
        var e = Assert.Throws<MaxMindDbException>(() => MaxMindDbReader.FromBytes(writer.Build(_ => Mmdb.Metadata(1_000_000, 24, 4)), Name));
        Assert.Contains("search tree", e.Message, StringComparison.Ordinal);
        Assert.Contains("run past the metadata", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tree_record_past_the_data_section_is_refused_on_lookup()
    {
        var writer = new MmdbWriter(4, 24);
        writer.Insert("1.0.0.0/8", 5000); // the data section is 2 bytes
        writer.Add(Mmdb.String("a"));
        using var reader = MaxMindDbReader.FromBytes(writer.Build(), Name);
        var e = Assert.Throws<MaxMindDbException>(() => reader.TryFindRecord(IPAddress.Parse("1.2.3.4"), out _, out _));
        Assert.Contains("points past the end of the data section", e.Message, StringComparison.Ordinal);
        Assert.Throws<MaxMindDbException>(() => reader.EnumerateNetworks().ToList());
    }

    [Fact]
    public void A_pointer_loop_is_refused()
    {
        // A map whose only value points back at the map: the nesting limit stops it.
        var writer = new MmdbWriter(4, 24);
        var loop = writer.Add(Mmdb.Map(("self", Mmdb.Pointer(0, 0))));
        var e = AssertRefused(writer, loop, typedPathToo: false);
        Assert.Contains("nest deeper than 512", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_pointer_to_a_pointer_is_refused()
    {
        var writer = new MmdbWriter(4, 24);
        var target = writer.Add(Mmdb.String("x"));
        var first = writer.Add(Mmdb.Pointer(target, 0));
        var record = writer.Add(Mmdb.Map(("p", Mmdb.Pointer(first, 0))));
        var e = AssertRefused(writer, record);
        Assert.Contains("which is another pointer", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_pointer_bomb_is_refused_quickly()
    {
        // Each level is an array holding two pointers to the level below: 2^40 values if expanded.
        var writer = new MmdbWriter(4, 24);
        var previous = writer.Add(Mmdb.String("leaf"));
        for (var i = 0; i < 40; i++)
        {
            previous = writer.Add(Mmdb.Array(Mmdb.Pointer(previous, 3), Mmdb.Pointer(previous, 3)));
        }

        // Refused by the value budget (MaxValuesPerDecode), not by running out of time: the message says which.
        var e = AssertRefused(writer, previous, typedPathToo: false);
        Assert.Contains("pointer bomb", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_pointer_past_the_end_is_refused()
    {
        var writer = new MmdbWriter(4, 24);
        var record = writer.Add(Mmdb.Map(("p", Mmdb.Pointer(100_000, 3))));
        var e = AssertRefused(writer, record);
        Assert.Contains("a pointer to offset 100000, past the end of the data section", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_size_past_the_end_is_refused()
    {
        var writer = new MmdbWriter(4, 24);
        var record = writer.Add(Mmdb.Map(("s", Mmdb.Control(2, 5000))));
        var e = AssertRefused(writer, record);
        Assert.Contains("runs past the end of the data section", e.Message, StringComparison.Ordinal);

        var counts = new MmdbWriter(4, 24);
        var huge = counts.Add(Mmdb.Control(7, 16_000_000));
        var big = AssertRefused(counts, huge);
        Assert.Contains("cannot fit", big.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_map_key_that_is_not_a_string_is_refused()
    {
        var writer = new MmdbWriter(4, 24);
        var record = writer.Add(Mmdb.Map((Mmdb.UInt32(7), Mmdb.String("v"))));
        var e = AssertRefused(writer, record);
        Assert.Contains("a map key is a", e.Message, StringComparison.Ordinal);
        Assert.Contains("not a UTF-8 string", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_types_sizes_and_text_are_refused()
    {
        var badExtended = new MmdbWriter(4, 24);
        AssertRefused(badExtended, badExtended.Add(Mmdb.Map(("x", [0x00, 0x09])))); // extended type 16
        var badDouble = new MmdbWriter(4, 24);
        AssertRefused(badDouble, badDouble.Add(Mmdb.Map(("latitude", Mmdb.Field(3, 4, [0, 0, 0, 0])))));
        var longInt = new MmdbWriter(4, 24);
        AssertRefused(longInt, longInt.Add(Mmdb.Map(("autonomous_system_number", Mmdb.Field(6, 5, [1, 2, 3, 4, 5])))));
        var container = new MmdbWriter(4, 24);
        AssertRefused(container, container.Add(Mmdb.Control(12, 0)), typedPathToo: false);
        var badUtf8 = new MmdbWriter(4, 24);
        var e = AssertRefused(badUtf8, badUtf8.Add(Mmdb.Field(2, 2, [0xC3, 0x28])), typedPathToo: false);
        Assert.Contains("not valid UTF-8", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tree_that_loops_back_is_refused_by_enumeration()
    {
        // Node 0's right record points at node 0: a lookup stops at 32 bits, enumeration would expand forever.
        var writer = new MmdbWriter(4, 24);
        writer.Insert("0.0.0.0/1", writer.Add(Mmdb.String("a")));
        var file = writer.Build();
        file[3] = 0; file[4] = 0; file[5] = 0;
        using var reader = MaxMindDbReader.FromBytes(file, Name);
        Assert.Throws<MaxMindDbException>(() => reader.TryFindRecord(IPAddress.Parse("255.255.255.255"), out _, out _));
        var e = Assert.Throws<MaxMindDbException>(() => reader.EnumerateNetworks().ToList());
        Assert.Contains("search tree", e.Message, StringComparison.Ordinal);
    }

    /// <summary>The generic decoder refuses the record; so does the typed path when it reads the broken field.</summary>
    private static MaxMindDbException AssertRefused(MmdbWriter writer, int record, bool typedPathToo = true)
    {
        writer.Insert("1.0.0.0/8", record);
        using var reader = MaxMindDbReader.FromBytes(writer.Build(), Name);
        var e = Assert.Throws<MaxMindDbException>(() => reader.Decode(record));
        Assert.StartsWith("MaxMind DB 'bad.mmdb': ", e.Message, StringComparison.Ordinal);
        if (typedPathToo)
        {
            Assert.Throws<MaxMindDbException>(() => reader.ReadRecord(record));
        }

        return e;
    }

    private static byte[] Valid()
    {
        var writer = new MmdbWriter(6, 28);
        var a = writer.Add(Mmdb.Map(("country_code", Mmdb.String("US"))));
        writer.Insert("1.0.0.0/8", a).Insert("2001:db8::/32", a);
        return writer.Build();
    }

    private static int LastMarker(byte[] file) => file.AsSpan().LastIndexOf(Mmdb.MetadataMarker);
}
