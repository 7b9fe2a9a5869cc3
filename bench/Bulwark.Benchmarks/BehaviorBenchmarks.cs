using System.Net;
using System.Reflection;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Bulwark.Core;
using Bulwark.Core.Behavior;
using Bulwark.Core.Identity;
using Bulwark.Core.Intel;
using Bulwark.Core.Intel.Database;
using Bulwark.Core.Pipeline;
using Bulwark.Core.Lists;
using Bulwark.Core.Policy;

namespace Bulwark.Benchmarks;

/// <summary>
/// <see cref="BulwarkEngine.Decide"/> on the default policy with every detector on, wired as the gateway wires them
/// (<c>BulwarkServiceCollectionExtensions</c>): the IP intelligence enricher over a small database built in
/// <see cref="Setup"/> (ASN, organisation, country and network kind of every client address), the built-in
/// <c>ua_missing</c> detector, the IP intelligence detectors (network kinds, ASN reputation, countries, impossible
/// travel), the client identity detectors (fingerprint deny list, UA/TLS mismatch, browser headers, declared bots, with
/// the crawler list when the npm data cache has it) and all behavioural detectors (honeypot, sequences, timing,
/// enumeration, stuffing, velocity, API key misuse, repeat offenders), plus the login and cost presets of the routes that
/// have them. The baseline is the same engine with no enricher and no detector, in the same run. Browser-like requests
/// (11 headers, a JA4, a session) from 10,000 clients while the clock advances 100 µs per request; login requests carry
/// an account and a password, so the stuffing detector counts four groups and hashes the password.
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
    // Chromium's JA4 as catalogued (src/Bulwark.Core/Fingerprints/catalogue.json): the identity detectors see a browser whose
    // TLS agrees with its User-Agent, the common case, and run all their checks.
    private readonly TlsFingerprints _tls = new("t13d1517h2_8daaf6152771_cb7bf5808d99", null);
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
        var intel = BuildIntel();
        var identity = ClientIdentity.Create(options.Fingerprints);
        IDetector[] detectors =
        [
            .. BulwarkEngine.DefaultDetectors(),
            .. IpIntelComponents.Detectors(options.IpIntel),
            .. ClientIdentityComponents.Detectors(identity),
            .. BehaviorComponents.Detectors(options, Bans),
        ];
        _all = new BulwarkEngine(options, enrichers: IpIntelComponents.Enrichers(intel, options.IpIntel), detectors: detectors, bans: Bans);
        Console.WriteLine($"// detectors: {string.Join(", ", _all.Detectors.Select(d => d.GetType().Name))}");
        Console.WriteLine($"// crawler list: {(identity.UserAgents.Crawlers is not null ? "loaded" : "missing (declared_bot never fires)")}");
        if (!intel.Lookup(IPAddress.Parse("81.2.0.1")).IsKnown)
        {
            throw new InvalidOperationException("the benchmark's IP intelligence database should know the client addresses");
        }

        _none = new BulwarkEngine(options, detectors: []);
        for (var i = 0; i < Clients; i++)
        {
            _addresses[i] = new IPAddress(new byte[] { 81, (byte)(2 + (i >> 16)), (byte)(i >> 8), (byte)i });
            _sessions[i] = "session-" + i;
            _accounts[i] = $"user{i}@example.com";
            _bodies[i] = JsonDocument.Parse($$"""{"username":"user{{i}}@example.com","password":"pw-{{i}}"}""").RootElement.Clone();
        }

        for (var i = 0; i < Clients * 3; i++)
        {
            AllDetectorsProduct();
            NoDetectorsProduct();
        }

        // What fires on each route once warm (printed so the tables can say which evidence was built).
        foreach (var (method, path, login) in new[] { ("GET", "/api/products/1", false), ("GET", "/api/search", false), ("POST", "/api/auth/login", true), ("POST", "/api/account/select", false) })
        {
            var decision = _all.Decide(Next(method, path, login)).Result;
            Console.WriteLine($"// {method} {path}: {decision.Action} score {decision.Score}; {string.Join(", ", decision.Reasons.Select(r => $"{r.Signal}({r.Weight})"))}");
        }
    }

    private BanList Bans { get; } = new();

    /// <summary>A small IP intelligence database: the clients' /16 is a residential ISP in GB, plus some other networks.</summary>
    private static IpIntelDatabase BuildIntel()
    {
        var dir = Directory.CreateTempSubdirectory("bulwark-bench-");
        try
        {
            var asn = Path.Combine(dir.FullName, "asn.csv");
            var country = Path.Combine(dir.FullName, "country.csv");
            var hosting = Path.Combine(dir.FullName, "hosting.txt");
            File.WriteAllText(asn, "81.2.0.0,81.2.255.255,64500,Example Broadband\n45.10.0.0,45.10.255.255,64501,\"Example Cloud, Inc.\"\n");
            File.WriteAllText(country, "81.2.0.0,81.2.255.255,GB\n45.10.0.0,45.10.255.255,DE\n");
            File.WriteAllText(hosting, "# bench hosting network\n45.10.0.0/16\n");
            var builder = new IpIntelDatabaseBuilder().AddRangeCsv(asn).AddRangeCsv(country).AddCidrList(hosting, NetworkKind.Hosting);
            return IpIntelDatabase.Load(builder.Build(DateTimeOffset.UnixEpoch, new IpIntelBuildReport()), "bench.db");
        }
        finally
        {
            dir.Delete(recursive: true);
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

    /// <summary>POST /api/auth/login with no detector: the login route's limits alone (seven counters).</summary>
    [Benchmark]
    public object NoDetectorsLogin() => _none.Decide(Next("POST", "/api/auth/login", login: true)).Result;

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
