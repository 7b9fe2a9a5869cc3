using System.Net;
using Bulwark.Core.Intel.MaxMind;

namespace Bulwark.Core.Tests.Intel.MaxMind;

/// <summary>Exact decoding of synthetic files built byte by byte with <see cref="MmdbWriter"/>.</summary>
[Collection(MaxMindTestCollection.Name)]
public sealed class MaxMindDbReaderTests
{
    public static TheoryData<int, int> Layouts => new()
    {
        { 4, 24 }, { 4, 28 }, { 4, 32 }, { 6, 24 }, { 6, 28 }, { 6, 32 },
    };

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Metadata_is_decoded_and_validated(int ipVersion, int recordSize)
    {
        var writer = new MmdbWriter(ipVersion, recordSize);
        writer.Insert("1.2.3.0/24", writer.Add(Mmdb.String("a")));
        using var reader = MaxMindDbReader.FromBytes(writer.Build(), "test.mmdb");

        var m = reader.Metadata;
        Assert.Equal(recordSize, m.RecordSize);
        Assert.Equal(ipVersion, m.IpVersion);
        Assert.Equal("Test", m.DatabaseType);
        Assert.Equal(["en", "de"], m.Languages);
        Assert.Equal(2, m.BinaryFormatMajorVersion);
        Assert.Equal(0, m.BinaryFormatMinorVersion);
        Assert.Equal(1_700_000_000UL, m.BuildEpoch);
        Assert.Equal("Bulwark test database", m.Description["en"]);
        Assert.Equal(m.NodeCount * (long)recordSize / 4, m.SearchTreeSize);
        Assert.Equal(writer.Data.Count, reader.DataSectionSize);
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Lookups_find_the_most_specific_network_and_its_prefix(int ipVersion, int recordSize)
    {
        var writer = new MmdbWriter(ipVersion, recordSize);
        var wide = writer.Add(Mmdb.String("wide"));
        var narrow = writer.Add(Mmdb.String("narrow"));
        var host = writer.Add(Mmdb.String("host"));
        writer.Insert("10.0.0.0/9", wide).Insert("10.128.0.0/16", narrow).Insert("10.128.1.0/24", narrow).Insert("10.129.0.7/32", host);
        if (ipVersion == 6)
        {
            writer.Insert("2001:db8::/32", wide).Insert("2001:db8:8000::/33", narrow).Insert("2001:db8::1/128", host);
        }

        using var reader = MaxMindDbReader.FromBytes(writer.Build(), "test.mmdb");

        AssertFound(reader, "10.1.2.3", wide, 9);
        AssertFound(reader, "10.128.128.1", narrow, 17); // the /24 inside the /16 split it: the tree's network is a /17
        AssertFound(reader, "10.128.0.1", narrow, 24);
        AssertFound(reader, "10.128.1.255", narrow, 24);
        AssertFound(reader, "10.129.0.7", host, 32);
        AssertFound(reader, "::ffff:10.129.0.7", host, 32);
        Assert.False(reader.TryFindRecord(IPAddress.Parse("10.129.0.8"), out var none, out var emptyPrefix));
        Assert.Equal(-1, none);
        Assert.Equal(29, emptyPrefix); // 10.129.0.8/29 is the empty network beside 10.129.0.0/29
        Assert.False(reader.TryFindRecord(IPAddress.Parse("192.0.2.1"), out _, out _));
        Assert.Equal("narrow", reader.Decode(narrow));

        if (ipVersion == 6)
        {
            AssertFound(reader, "2001:db8::2", wide, 127);
            AssertFound(reader, "2001:db8:4000::", wide, 34);
            AssertFound(reader, "2001:db8:ffff::", narrow, 33);
            AssertFound(reader, "2001:db8::1", host, 128);
            Assert.False(reader.TryFindRecord(IPAddress.Parse("2001:db9::"), out _, out _));
        }
        else
        {
            // An IPv6 address in an IPv4 database is not found (IPv4-mapped ones are looked up as IPv4 above).
            Assert.False(reader.TryFindRecord(IPAddress.Parse("2001:db8::1"), out _, out var prefix));
            Assert.Equal(0, prefix);
        }

        // The span form takes 4 or 16 bytes.
        Assert.True(reader.TryFindRecord([10, 129, 0, 7], out var spanOffset, out _));
        Assert.Equal(host, spanOffset);
        Assert.Throws<ArgumentException>(() => reader.TryFindRecord(new byte[5], out _, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => reader.Decode(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => reader.ReadRecord(reader.DataSectionSize));
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Enumeration_yields_every_network_in_order(int ipVersion, int recordSize)
    {
        var writer = new MmdbWriter(ipVersion, recordSize);
        var a = writer.Add(Mmdb.String("a"));
        var b = writer.Add(Mmdb.String("b"));
        writer.Insert("10.0.0.0/8", a).Insert("192.168.1.0/24", b).Insert("192.168.2.1/32", a);
        if (ipVersion == 6)
        {
            writer.Insert("2001:db8::/32", b).Insert("fe80::/10", a);
        }

        using var reader = MaxMindDbReader.FromBytes(writer.Build(), "test.mmdb");

        var networks = reader.EnumerateNetworks().Select(n => (n.ToString(), n.DataOffset)).ToList();
        var expected = new List<(string, int)> { ("10.0.0.0/8", a), ("192.168.1.0/24", b), ("192.168.2.1/32", a) };
        if (ipVersion == 6)
        {
            expected.AddRange([("2001:db8::/32", b), ("fe80::/10", a)]);
        }

        Assert.Equal(expected, networks);
        var first = reader.EnumerateNetworks().First();
        Assert.True(first.IsIPv4);
        Assert.Equal(0x0A000000u, (uint)first.Address);
        Assert.Equal(0x0AFFFFFFu, (uint)first.LastAddress);
    }

    [Fact]
    public void IPv4_aliases_are_followed_by_lookups_and_skipped_by_enumeration()
    {
        var writer = new MmdbWriter(6, 28);
        var us = writer.Add(Mmdb.String("US"));
        var v6 = writer.Add(Mmdb.String("v6"));
        writer.Insert("8.8.8.0/24", us).Insert("2001:db8::/32", v6)
            .Alias("::ffff:0:0/96", "::/96")
            .Alias("2002::/16", "::/96");
        using var reader = MaxMindDbReader.FromBytes(writer.Build(), "alias.mmdb");

        AssertFound(reader, "8.8.8.8", us, 24);
        AssertFound(reader, "::ffff:8.8.8.8", us, 24);

        // 6to4: the alias is real tree data, reached as IPv6 (2002:0808:0808::/40 is 8.8.8.0/24 under 2002::/16).
        Assert.True(reader.TryFindRecord(IPAddress.Parse("2002:808:808::1"), out var sixToFour, out var sixToFourPrefix));
        Assert.Equal(us, sixToFour);
        Assert.Equal(40, sixToFourPrefix);

        Assert.Equal(["8.8.8.0/24", "2001:db8::/32"], reader.EnumerateNetworks().Select(n => n.ToString()));
        Assert.Equal(
            ["8.8.8.0/24", "::ffff:8.8.8.0/120", "2001:db8::/32", "2002:808:800::/40"],
            reader.EnumerateNetworks(skipAliases: false).Select(n => n.ToString()));
    }

    [Fact]
    public void Every_data_type_decodes_exactly_including_every_pointer_size()
    {
        var writer = new MmdbWriter(4, 32);
        var long29 = new string('x', 29 + 200);       // size bits 29
        var long30 = new string('y', 285 + 5000);     // size bits 30
        var long31 = new string('z', 65_821 + 10);    // size bits 31

        // Targets at offsets that need each pointer size: < 2048, < 526,336, < 2^27 + 526,336, and the 32-bit form.
        var shortTarget = writer.Add(Mmdb.String("near"));
        writer.Add(Mmdb.Bytes(new byte[3000]));
        var mediumTarget = writer.Add(Mmdb.String("medium"));
        writer.Add(Mmdb.Bytes(new byte[530_000]));
        var farTarget = writer.Add(Mmdb.String("far"));
        var keyTarget = writer.Add(Mmdb.String("pointed_key"));

        var record = writer.Add(Mmdb.Map(
            (Mmdb.String("utf8"), Mmdb.String("Zürich ✓")),
            (Mmdb.String("empty"), Mmdb.String(string.Empty)),
            (Mmdb.String("long29"), Mmdb.String(long29)),
            (Mmdb.String("long30"), Mmdb.String(long30)),
            (Mmdb.String("long31"), Mmdb.String(long31)),
            (Mmdb.String("double"), Mmdb.Double(-12.375)),
            (Mmdb.String("float"), Mmdb.Float(1.5f)),
            (Mmdb.String("bytes"), Mmdb.Bytes([0, 1, 254, 255])),
            (Mmdb.String("u16"), Mmdb.UInt16(65535)),
            (Mmdb.String("u16zero"), Mmdb.UInt16(0)),
            (Mmdb.String("u32"), Mmdb.UInt32(4_294_967_295)),
            (Mmdb.String("i32"), Mmdb.Int32(-123_456)),
            (Mmdb.String("i32pos"), Mmdb.Int32(300)),
            (Mmdb.String("u64"), Mmdb.UInt64(ulong.MaxValue)),
            (Mmdb.String("u128"), Mmdb.UInt128(UInt128.MaxValue)),
            (Mmdb.String("u128small"), Mmdb.UInt128(258)),
            (Mmdb.String("true"), Mmdb.Bool(true)),
            (Mmdb.String("false"), Mmdb.Bool(false)),
            (Mmdb.String("array"), Mmdb.Array(Mmdb.UInt32(1), Mmdb.String("two"), Mmdb.Array())),
            (Mmdb.String("map"), Mmdb.Map(("inner", Mmdb.Control(7, 0)))),
            (Mmdb.String("p0"), Mmdb.Pointer(shortTarget, 0)),
            (Mmdb.String("p1"), Mmdb.Pointer(mediumTarget, 1)),
            (Mmdb.String("p2"), Mmdb.Pointer(farTarget, 2)),
            (Mmdb.String("p3"), Mmdb.Pointer(farTarget, 3)),
            (Mmdb.Pointer(keyTarget, 3), Mmdb.UInt16(7))));
        writer.Insert("1.0.0.0/8", record);
        using var reader = MaxMindDbReader.FromBytes(writer.Build(), "types.mmdb");

        Assert.True(reader.TryFindRecord(IPAddress.Parse("1.2.3.4"), out var offset, out _));
        var map = Assert.IsType<Dictionary<string, object>>(reader.Decode(offset));
        Assert.Equal("Zürich ✓", map["utf8"]);
        Assert.Equal(string.Empty, map["empty"]);
        Assert.Equal(long29, map["long29"]);
        Assert.Equal(long30, map["long30"]);
        Assert.Equal(long31, map["long31"]);
        Assert.Equal(-12.375, map["double"]);
        Assert.Equal(1.5f, map["float"]);
        Assert.Equal(new byte[] { 0, 1, 254, 255 }, map["bytes"]);
        Assert.Equal((ushort)65535, map["u16"]);
        Assert.Equal((ushort)0, map["u16zero"]);
        Assert.Equal(4_294_967_295u, map["u32"]);
        Assert.Equal(-123_456, map["i32"]);
        Assert.Equal(300, map["i32pos"]);
        Assert.Equal(ulong.MaxValue, map["u64"]);
        Assert.Equal(UInt128.MaxValue, map["u128"]);
        Assert.Equal((UInt128)258, map["u128small"]);
        Assert.Equal(true, map["true"]);
        Assert.Equal(false, map["false"]);
        var array = Assert.IsType<List<object>>(map["array"]);
        Assert.Equal(1u, array[0]);
        Assert.Equal("two", array[1]);
        Assert.Empty(Assert.IsType<List<object>>(array[2]));
        Assert.Empty(Assert.IsType<Dictionary<string, object>>(Assert.IsType<Dictionary<string, object>>(map["map"])["inner"]));
        Assert.Equal("near", map["p0"]);
        Assert.Equal("medium", map["p1"]);
        Assert.Equal("far", map["p2"]);
        Assert.Equal("far", map["p3"]);
        Assert.Equal((ushort)7, map["pointed_key"]);
        Assert.True(mediumTarget >= 2048 && farTarget >= 526_336);
    }

    [Fact]
    public void The_typed_record_reads_city_asn_and_anonymous_fields_through_pointers()
    {
        var writer = new MmdbWriter(6, 24);
        var countryKey = writer.Add(Mmdb.String("country"));
        var us = writer.Add(Mmdb.String("US"));
        var country = writer.Add(Mmdb.Map(("geoname_id", Mmdb.UInt32(6252001)), ("iso_code", Mmdb.Pointer(us, 0))));
        var city = writer.Add(Mmdb.Map(
            (Mmdb.Pointer(countryKey, 0), Mmdb.Pointer(country, 0)),
            (Mmdb.String("subdivisions"), Mmdb.Array(Mmdb.Map(("iso_code", Mmdb.String("CA"))))),
            (Mmdb.String("registered_country"), Mmdb.Map(("iso_code", Mmdb.String("CA")))),
            (Mmdb.String("city"), Mmdb.Map(("geoname_id", Mmdb.UInt32(5)), ("names", Mmdb.Map(("de", Mmdb.String("Mountain View DE")), ("en", Mmdb.String("Mountain View")))))),
            (Mmdb.String("location"), Mmdb.Map(("accuracy_radius", Mmdb.UInt16(1000)), ("latitude", Mmdb.Double(37.386)), ("longitude", Mmdb.Double(-122.0838)), ("time_zone", Mmdb.String("America/Los_Angeles"))))));
        var asn = writer.Add(Mmdb.Map(("autonomous_system_number", Mmdb.UInt32(15169)), ("autonomous_system_organization", Mmdb.String("GOOGLE"))));
        var anonymous = writer.Add(Mmdb.Map(
            ("is_anonymous", Mmdb.Bool(true)), ("is_anonymous_vpn", Mmdb.Bool(true)), ("is_hosting_provider", Mmdb.Bool(false)),
            ("is_public_proxy", Mmdb.Bool(true)), ("is_tor_exit_node", Mmdb.Bool(true)), ("is_residential_proxy", Mmdb.Bool(true))));
        var flat = writer.Add(Mmdb.Map(("city", Mmdb.String("")), ("country_code", Mmdb.String("DE")), ("latitude", Mmdb.Float(50.5f)), ("longitude", Mmdb.Float(8.25f))));
        var notAMap = writer.Add(Mmdb.String("just a string"));
        writer.Insert("8.8.8.0/24", city).Insert("8.8.4.0/24", asn).Insert("1.1.1.0/24", anonymous).Insert("2.2.2.0/24", flat).Insert("3.3.3.0/24", notAMap);
        using var reader = MaxMindDbReader.FromBytes(writer.Build(), "typed.mmdb");

        Assert.True(reader.TryLookup(IPAddress.Parse("8.8.8.8"), out var c));
        Assert.Equal("US", c.CountryIsoCode);
        Assert.Equal("Mountain View", c.CityName);
        Assert.True(c.HasLocation);
        Assert.Equal(37.386, c.Latitude);
        Assert.Equal(-122.0838, c.Longitude);
        Assert.Equal(1000, c.AccuracyRadiusKm);
        Assert.True(reader.TryLookup(IPAddress.Parse("8.8.8.9"), out var again));
        Assert.Same(c.CountryIsoCode, again.CountryIsoCode);
        Assert.Same(c.CityName, again.CityName);

        Assert.True(reader.TryLookup(IPAddress.Parse("8.8.4.4"), out var a));
        Assert.Equal(15169u, a.AutonomousSystemNumber);
        Assert.Equal("GOOGLE", a.AutonomousSystemOrganization);
        Assert.False(a.HasLocation);

        Assert.True(reader.TryLookup(IPAddress.Parse("1.1.1.1"), out var anon));
        Assert.Equal(
            MaxMindAnonymousFlags.Anonymous | MaxMindAnonymousFlags.AnonymousVpn | MaxMindAnonymousFlags.PublicProxy
            | MaxMindAnonymousFlags.TorExitNode | MaxMindAnonymousFlags.ResidentialProxy,
            anon.Anonymous);

        Assert.True(reader.TryLookup(IPAddress.Parse("2.2.2.2"), out var f));
        Assert.Equal("DE", f.CountryIsoCode);
        Assert.Null(f.CityName);
        Assert.Equal(50.5, f.Latitude);
        Assert.Equal(8.25, f.Longitude);

        // After the first read of each string, lookups allocate nothing.
        byte[][] addresses = [[8, 8, 8, 8], [8, 8, 4, 4], [1, 1, 1, 1], [2, 2, 2, 2], [3, 3, 3, 3], [4, 4, 4, 4]];
        foreach (var address in addresses)
        {
            reader.TryLookup(address, out _);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            reader.TryLookup(addresses[i % addresses.Length], out _);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);

        Assert.True(reader.TryLookup(IPAddress.Parse("3.3.3.3"), out var s));
        Assert.Equal(default, s);
        Assert.False(reader.TryLookup(IPAddress.Parse("4.4.4.4"), out _));
    }

    [Fact]
    public void Network_bounds_cover_whole_address_spaces()
    {
        Assert.Equal(UInt128.MaxValue, new MaxMindNetwork(UInt128.Zero, 0, false, 0).LastAddress);
        Assert.Equal((UInt128)uint.MaxValue, new MaxMindNetwork(UInt128.Zero, 0, true, 0).LastAddress);
        Assert.Equal((UInt128)7, new MaxMindNetwork((UInt128)7, 32, true, 0).LastAddress);
        Assert.Equal("::/0", new MaxMindNetwork(UInt128.Zero, 0, false, 0).ToString());
        Assert.Equal(IPAddress.Parse("192.0.2.0"), new MaxMindNetwork(0xC0000200u, 24, true, 0).ToIPAddress());
    }

    [Fact]
    public void A_disposed_reader_refuses_use()
    {
        var writer = new MmdbWriter(4, 24);
        writer.Insert("1.0.0.0/8", writer.Add(Mmdb.String("a")));
        var reader = MaxMindDbReader.FromBytes(writer.Build(), "test.mmdb");
        reader.Dispose();
        Assert.Throws<ObjectDisposedException>(() => reader.TryFindRecord(IPAddress.Loopback, out _, out _));
    }

    internal static void AssertFound(MaxMindDbReader reader, string address, int offset, int prefix)
    {
        Assert.True(reader.TryFindRecord(IPAddress.Parse(address), out var found, out var length), address);
        Assert.Equal(offset, found);
        Assert.Equal(prefix, length);
    }
}
