using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Numerics;
using Bulwark.Core.Intel;
using Bulwark.Core.Tests.Data;
using Xunit.Abstractions;
using static Bulwark.Core.Tests.Intel.Database.IpIntelTestKit;

namespace Bulwark.Core.Tests.Intel.Database;

/// <summary>The database built from the real @ip-location-db CSVs answers what the CSVs say.</summary>
[Collection(LargeDataCollection.Name)]
public sealed class NpmDataTests(ITestOutputHelper output)
{
    private const string AsnV4 = "npm:@ip-location-db/asn:asn-ipv4.csv";
    private const string AsnV6 = "npm:@ip-location-db/asn:asn-ipv6.csv";
    private const string CountryV4 = "npm:@ip-location-db/asn-country:asn-country-ipv4.csv";
    private const string CountryV6 = "npm:@ip-location-db/asn-country:asn-country-ipv6.csv";

    /// <summary>One CSV row as the test reads it, independently of the builder's parser.</summary>
    private sealed record Row(BigInteger First, BigInteger Last, bool IsV6, uint Asn, string? Organisation, string? Country, int Line);

    [DataFact(AsnV4, AsnV6, CountryV4, CountryV6)]
    public void Hundred_thousand_addresses_from_the_csv_ranges_and_their_boundaries_answer_what_the_csvs_say()
    {
        string[] files = [AsnV4, AsnV6, CountryV4, CountryV6];
        var stopwatch = Stopwatch.StartNew();
        var builder = new IpIntelDatabaseBuilder();
        foreach (string file in files)
        {
            builder.AddRangeCsv(DataFactAttribute.Resolve(file));
        }

        var report = new Core.Intel.Database.IpIntelBuildReport();
        byte[] image = builder.Build(BuildTime, report);
        long built = stopwatch.ElapsedMilliseconds;
        var loading = Stopwatch.StartNew();
        IpIntelDatabase db = IpIntelDatabase.Load(image, "npm.db");
        output.WriteLine($"loaded (checksum, parse, index) in {loading.ElapsedMilliseconds} ms");
        output.WriteLine($"built in {built} ms: {report.RangesV4} + {report.RangesV6} ranges, {report.OutputBytes} bytes, {report.BytesPerRange:F1} B/range; malformed {report.Malformed}, duplicates {report.Duplicates}, conflicts {report.Conflicts}");
        Assert.Equal(0, report.Malformed);

        Row[][] tables = files.Select(f => ReadRows(DataFactAttribute.Resolve(f))).ToArray();
        var random = new Random(20261122);
        int checkedCount = 0;
        for (int n = 0; n < 100_000; n++)
        {
            int t = random.Next(4);
            Row[] rows = tables[t];
            Row row = rows[random.Next(rows.Length)];
            BigInteger max = row.IsV6 ? (BigInteger.One << 128) - 1 : uint.MaxValue;
            BigInteger address = (n % 5) switch
            {
                0 => row.First,
                1 => row.Last,
                2 => row.Last + 1,
                3 => row.First - 1,
                _ => row.First + (BigInteger)(random.NextDouble() * (double)(row.Last - row.First)),
            };
            if (address < 0 || address > max)
            {
                continue;
            }

            IpInfo actual = row.IsV6 ? db.LookupV6((UInt128)address) : db.LookupV4((uint)address);
            bool isAsnTable = t < 2;
            Row? expected = Expected(rows, address);
            if (isAsnTable)
            {
                Assert.True((expected?.Asn ?? 0) == actual.Asn, $"{Format(address, row.IsV6)}: CSV says AS{expected?.Asn} (line {expected?.Line}), database AS{actual.Asn}");
                Assert.Equal(expected?.Organisation, actual.Organisation);
            }
            else
            {
                Assert.True(expected?.Country == actual.Country, $"{Format(address, row.IsV6)}: CSV says {expected?.Country} (line {expected?.Line}), database {actual.Country}");
            }

            checkedCount++;
        }

        output.WriteLine($"checked {checkedCount} addresses; total {stopwatch.ElapsedMilliseconds} ms");
        Assert.True(checkedCount > 99_000);
    }

    /// <summary>The most specific, then the latest, row containing the address (the database's rule), by a plain scan back.</summary>
    private static Row? Expected(Row[] rows, BigInteger address)
    {
        int lo = 0, hi = rows.Length - 1, found = -1;
        while (lo <= hi)
        {
            int mid = (lo + hi) / 2;
            if (rows[mid].First <= address)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        Row? best = null;
        for (int i = found; i >= 0 && i > found - 64; i--)
        {
            Row r = rows[i];
            if (r.First <= address && address <= r.Last
                && (best is null || r.Last - r.First < best.Last - best.First || (r.Last - r.First == best.Last - best.First && r.Line > best.Line)))
            {
                best = r;
            }
        }

        return best;
    }

    private static Row[] ReadRows(string path)
    {
        var rows = new List<Row>();
        int line = 0;
        foreach (string text in File.ReadLines(path))
        {
            line++;
            string[] parts = text.Split(',', 4);
            BigInteger first = ToNumber(IPAddress.Parse(parts[0]), out bool isV6);
            BigInteger last = ToNumber(IPAddress.Parse(parts[1]), out _);
            rows.Add(parts.Length == 4
                ? new Row(first, last, isV6, uint.Parse(parts[2], CultureInfo.InvariantCulture), Unquote(parts[3]), null, line)
                : new Row(first, last, isV6, 0, null, parts[2], line));
        }

        rows.Sort((a, b) => a.First != b.First ? a.First.CompareTo(b.First) : a.Line.CompareTo(b.Line));
        return [.. rows];
    }

    private static string? Unquote(string field)
    {
        string value = field.Length >= 2 && field[0] == '"' && field[^1] == '"' ? field[1..^1].Replace("\"\"", "\"", StringComparison.Ordinal) : field;
        value = value.Trim();
        return value.Length == 0 ? null : value;
    }

    private static BigInteger ToNumber(IPAddress address, out bool isV6)
    {
        isV6 = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 && !address.IsIPv4MappedToIPv6;
        byte[] bytes = (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).GetAddressBytes();
        return new BigInteger(bytes, isUnsigned: true, isBigEndian: true);
    }

    private static string Format(BigInteger address, bool isV6)
    {
        byte[] bytes = address.ToByteArray(isUnsigned: true, isBigEndian: true);
        int size = isV6 ? 16 : 4;
        byte[] padded = new byte[size];
        bytes.CopyTo(padded, size - bytes.Length);
        return new IPAddress(padded).ToString();
    }
}
