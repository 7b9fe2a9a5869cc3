using System.Net;
using System.Reflection;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Bulwark.Core;
using Bulwark.Core.Behavior;
using Bulwark.Core.Policy;

namespace Bulwark.Benchmarks;

/// <summary>
/// <see cref="BulwarkEngine.Decide"/> on the default policy with every detector on (the built-in ones and all behavioural
/// detectors: honeypot, sequences, timing, enumeration, stuffing, velocity, API key misuse, repeat offenders), against the
/// same engine with no detector at all as the baseline, in one run. Browser-like requests (11 headers, a JA4, a session)
/// from 10,000 clients while the clock advances 100 µs per request; login requests carry an account and a password, so
/// the stuffing detector counts four groups and computes the password's HMAC.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class BehaviorBenchmarks
{
    private const int Clients = 10_000;
    private static readonly DateTimeOffset T0 = new(2026, 11, 21, 10, 0, 0, TimeSpan.Zero);
    private readonly IPAddress[] _addresses = new IPAddress[Clients];
    private readonly string[] _sessions = new string[Clients];
    private readonly string[] _accounts = new string[Clients];
    private readonly JsonElement[] _bodies = new JsonElement[Clients];
    private readonly HeaderList _headers = HeaderList.From(
        ("host", "shop.example"), ("sec-ch-ua", "\"Chromium\";v=\"131\""), ("sec-ch-ua-mobile", "?0"),
        ("user-agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"),
        ("accept", "application/json"), ("sec-fetch-site", "same-origin"), ("sec-fetch-mode", "cors"), ("sec-fetch-dest", "empty"),
        ("referer", "https://shop.example/"), ("accept-encoding", "gzip, deflate, br, zstd"), ("accept-language", "en-US,en;q=0.9"));
    private readonly TlsFingerprints _tls = new("t13d1516h2_8daaf6152771_e5627efa2ab1", null);
    private BulwarkEngine _all = null!;
    private BulwarkEngine _none = null!;
    private long _i;

    [GlobalSetup]
    public void Setup()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("bulwark.json")!;
        using var reader = new StreamReader(stream);
        var loaded = BulwarkConfigLoader.LoadJson(reader.ReadToEnd());
        var options = loaded.Options ?? throw new InvalidOperationException(string.Join("\n", loaded.Errors));
        _all = new BulwarkEngine(options);
        if (_all.Detectors.OfType<VelocityDetector>().Count() != 1)
        {
            throw new InvalidOperationException("the default engine should run the behavioural detectors");
        }

        _none = new BulwarkEngine(options, detectors: []);
        for (var i = 0; i < Clients; i++)
        {
            _addresses[i] = new IPAddress(new byte[] { 100, (byte)(64 + (i >> 16)), (byte)(i >> 8), (byte)i });
            _sessions[i] = "session-" + i;
            _accounts[i] = $"user{i}@example.com";
            _bodies[i] = JsonDocument.Parse($$"""{"username":"user{{i}}@example.com","password":"pw-{{i}}"}""").RootElement.Clone();
        }

        for (var i = 0; i < Clients * 3; i++)
        {
            AllDetectorsProduct();
            NoDetectorsProduct();
        }
    }

    private RequestContext Next(string method, string path, bool login = false)
    {
        var i = _i++;
        var client = (int)(i % Clients);
        return new RequestContext
        {
            Timestamp = T0.AddTicks(i * 1_000), // 100 µs
            ClientIp = _addresses[client],
            Method = method,
            Path = path,
            Headers = _headers,
            Tls = _tls,
            Session = login ? null : _sessions[client],
            Account = login ? _accounts[client] : null,
            Body = login ? _bodies[client] : null,
        };
    }

    /// <summary>GET /api/products/{id} with no detector: the baseline.</summary>
    [Benchmark(Baseline = true)]
    public object NoDetectorsProduct() => _none.Decide(Next("GET", "/api/products/" + (_i % 50_000))).Result;

    /// <summary>GET /api/products/{id} with every detector.</summary>
    [Benchmark]
    public object AllDetectorsProduct() => _all.Decide(Next("GET", "/api/products/" + (_i % 50_000))).Result;

    /// <summary>GET /api/search with every detector.</summary>
    [Benchmark]
    public object AllDetectorsSearch() => _all.Decide(Next("GET", "/api/search")).Result;

    /// <summary>POST /api/auth/login with every detector: stuffing counts IP, subnet, cluster and password groups.</summary>
    [Benchmark]
    public object AllDetectorsLogin() => _all.Decide(Next("POST", "/api/auth/login", login: true)).Result;

    /// <summary>POST /api/account/select with every detector: a sequence step is checked.</summary>
    [Benchmark]
    public object AllDetectorsSequenceStep() => _all.Decide(Next("POST", "/api/account/select")).Result;

    /// <summary>Decide and then Feedback with every detector (what a front door does per request).</summary>
    [Benchmark]
    public object AllDetectorsProductWithFeedback()
    {
        var request = Next("GET", "/api/products/" + (_i % 50_000));
        var decision = _all.Decide(request).Result;
        _all.Feedback(decision, request, 200, TimeSpan.FromMilliseconds(3)).GetAwaiter().GetResult();
        return decision;
    }
}
