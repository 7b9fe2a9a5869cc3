using System.Net;
using System.Reflection;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Bulwark.Core;
using Bulwark.Core.Policy;

namespace Bulwark.Benchmarks;

/// <summary>
/// <see cref="BulwarkEngine.Decide"/> on the default policy's preset routes (login, OTP, inference with budgets), against
/// the product route of <see cref="DecideBenchmarks"/> as the baseline in the same run. Clients rotate over 10,000
/// addresses, accounts and phone numbers (900 prefixes) while the clock advances one second per request, so every client
/// stays under every limit and budget (the tightest, 10 OTP sends an hour per address, sees 0.36): the allow path.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class ProtectionBenchmarks
{
    private const int Clients = 10_000;
    private static readonly DateTimeOffset T0 = new(2026, 11, 21, 10, 0, 0, TimeSpan.Zero);
    private readonly IPAddress[] _addresses = new IPAddress[Clients];
    private readonly string[] _accounts = new string[Clients];
    private readonly JsonElement[] _phones = new JsonElement[Clients];
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
            _accounts[i] = $"user{i}@example.com";
            _phones[i] = JsonDocument.Parse($$"""{"phone":"+{{100 + (i % 900)}} {{i:D7}}"}""").RootElement.Clone();
        }

        for (var i = 0; i < Clients * 3; i++)
        {
            Product();
        }
    }

    private RequestContext Next(string method, string path, bool account = false, bool phone = false, bool apiKey = false)
    {
        var i = _i++;
        var client = i % Clients;
        return new RequestContext
        {
            Timestamp = T0.AddSeconds(i),
            ClientIp = _addresses[client],
            Method = method,
            Path = path,
            Headers = _headers,
            Account = account ? _accounts[client] : null,
            Body = phone ? _phones[client] : null,
            ApiKey = apiKey ? _accounts[client] : null,
        };
    }

    /// <summary>GET /api/products/{id}: two limits (the baseline of <see cref="DecideBenchmarks"/>).</summary>
    [Benchmark(Baseline = true)]
    public object Product() => _engine.Decide(Next("GET", "/api/products/42")).Result;

    /// <summary>POST /api/auth/login: three own limits and the login preset's four (attempts, failures, lockout count, lock).</summary>
    [Benchmark]
    public object Login() => _engine.Decide(Next("POST", "/api/auth/login", account: true)).Result;

    /// <summary>POST /api/otp/send: the OTP preset's four limits, the phone number normalised twice (destination, prefix).</summary>
    [Benchmark]
    public object Otp() => _engine.Decide(Next("POST", "/api/otp/send", phone: true)).Result;

    /// <summary>POST /api/inference with an API key: two own limits and four budgets in micro-dollars, and the feedback that releases its concurrency lease.</summary>
    [Benchmark]
    public object Inference()
    {
        var request = Next("POST", "/api/inference", apiKey: true);
        var decision = _engine.Decide(request).Result;
        _engine.Feedback(decision, request, 200, TimeSpan.Zero).AsTask().GetAwaiter().GetResult();
        return decision;
    }
}
