using System.Net;
using System.Reflection;
using BenchmarkDotNet.Attributes;
using Bulwark.Core;
using Bulwark.Core.Challenges;
using Bulwark.Core.Policy;

namespace Bulwark.Benchmarks;

/// <summary>
/// What the proof-of-work challenge adds (docs/challenge.md), against one <see cref="BulwarkEngine.Decide"/> of a product
/// request on the default policy with every detector as the baseline, in the same run: checking a pass cookie (done on
/// every covered request that carries one), issuing a challenge (per challenge refusal) and checking a solution (per
/// verify call: the challenge's MAC and one SHA-256).
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class ChallengeBenchmarks
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 21, 10, 0, 0, TimeSpan.Zero);
    private readonly ChallengeSigner _signer = new("benchmark-key-0123456789abcdef0123456789");
    private readonly ChallengeBinding _binding = new("203.0.113.0/24",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", "shop.example");
    private BulwarkEngine _engine = null!;
    private string _pass = null!;
    private string _challenge = null!;
    private string _nonce = null!;
    private long _i;

    [GlobalSetup]
    public void Setup()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("bulwark.json")!;
        using var reader = new StreamReader(stream);
        var loaded = BulwarkConfigLoader.LoadJson(reader.ReadToEnd());
        _engine = new BulwarkEngine(loaded.Options ?? throw new InvalidOperationException(string.Join("\n", loaded.Errors)));
        _pass = _signer.IssuePass(_binding, T0.AddMinutes(30));
        _challenge = _signer.IssueChallenge(_binding, T0.AddMinutes(5), 16);
        for (var n = 0L; ; n++)
        {
            var text = n.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (ChallengeSigner.IsSolution(_challenge, text, 16))
            {
                _nonce = text;
                break;
            }
        }
    }

    /// <summary>The baseline: one decision, every detector on.</summary>
    [Benchmark(Baseline = true)]
    public object DecideProduct()
    {
        var i = _i++;
        return _engine.Decide(new RequestContext
        {
            Timestamp = T0.AddTicks(i * 1000),
            ClientIp = new IPAddress(new byte[] { 100, 64, (byte)(i >> 8), (byte)i }),
            Method = "GET",
            Path = "/api/products/" + (i % 50_000),
            Headers = HeaderList.From(("host", "shop.example"), ("user-agent", _binding.UserAgent), ("accept", "application/json")),
        }).Result;
    }

    [Benchmark]
    public bool CheckPass() => _signer.CheckPass(_pass, _binding, T0);

    [Benchmark]
    public string IssueChallenge() => _signer.IssueChallenge(_binding, T0.AddMinutes(5), 16);

    [Benchmark]
    public bool CheckSolution() => _signer.CheckChallenge(_challenge, _binding, T0) is { } d && ChallengeSigner.IsSolution(_challenge, _nonce, d);
}
