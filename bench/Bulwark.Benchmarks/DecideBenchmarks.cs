using System.Net;
using System.Reflection;
using BenchmarkDotNet.Attributes;
using Bulwark.Core;
using Bulwark.Core.Policy;

namespace Bulwark.Benchmarks;

/// <summary>
/// A full <see cref="BulwarkEngine.Decide"/> on the default policy (samples/bulwark.json, embedded): route match, lists,
/// detectors, score, every limit of the route in one store call, the decision object. Clients rotate over 10,000
/// addresses while the clock advances 100 µs per request (10,000 requests/s, 1/s per client: under every limit, so this
/// is the allow path that real traffic mostly takes). Building the RequestContext is part of the measured work.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class DecideBenchmarks
{
    private const int Clients = 10_000;
    private static readonly DateTimeOffset T0 = new(2026, 11, 21, 10, 0, 0, TimeSpan.Zero);
    private readonly IPAddress[] _addresses = new IPAddress[Clients];
    private readonly HeaderList _headers = HeaderList.From(("user-agent", "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0"), ("accept", "application/json"));
    private BulwarkEngine _engine = null!;
    private long _i;

    [GlobalSetup]
    public void Setup()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("bulwark.json")!;
        using var reader = new StreamReader(stream);
        var loaded = BulwarkConfigLoader.LoadJson(reader.ReadToEnd());
        _engine = new BulwarkEngine(loaded.Options ?? throw new InvalidOperationException(string.Join("\n", loaded.Errors)));
        for (var i = 0; i < Clients; i++)
        {
            _addresses[i] = new IPAddress(new byte[] { 100, (byte)(64 + (i >> 16)), (byte)(i >> 8), (byte)i });
        }

        for (var i = 0; i < Clients * 3; i++)
        {
            Product();
        }
    }

    private RequestContext Next(string method, string path)
    {
        var i = _i++;
        return new RequestContext
        {
            Timestamp = T0.AddTicks(i * 1_000), // 100 µs
            ClientIp = _addresses[i % Clients],
            Method = method,
            Path = path,
            Headers = _headers,
        };
    }

    /// <summary>GET /api/products/{id}: two limits (a token bucket and a failure-counting peek).</summary>
    [Benchmark(Baseline = true)]
    public object Product() => _engine.Decide(Next("GET", "/api/products/42")).Result;

    /// <summary>GET /api/search: one GCRA limit with progressive delay.</summary>
    [Benchmark]
    public object Search() => _engine.Decide(Next("GET", "/api/search")).Result;

    /// <summary>A path no route covers: the fast path front doors take before building a context.</summary>
    [Benchmark]
    public object? NotCovered() => _engine.ResolvePolicy("GET", "/static/app.css", null).Policy;
}
