using System.Text.Json;
using System.Text.RegularExpressions;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Bulwark.Core.Fingerprints;
using Bulwark.Core.Identity;

namespace Bulwark.Benchmarks;

/// <summary>
/// Client identity on the connection and request paths.
/// <list type="bullet">
/// <item><c>hello</c>: JA3 (text and MD5) and JA4 of a ClientHello record, per hello, over the 55 reference hellos of
/// ../shared/data/ja4/clienthellos.jsonl: the parser path (<see cref="ClientHelloParser"/> + <see cref="Ja3Fingerprint"/> +
/// <see cref="Ja4Fingerprint"/>, the baseline) against <see cref="TlsClientFingerprinter"/>, which reads the record in place.</item>
/// <item><c>crawlers</c>: checking one User-Agent against the npm crawler-user-agents list, per string, over 1,000 real
/// browser strings from the npm user-agents list (none of them bots, the common case): every pattern's regex in turn
/// (baseline) against <see cref="CrawlerList.Match"/> (literal prefilter).</item>
/// </list>
/// Without the data it prints why and exits.
/// </summary>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class FingerprintBenchmarks
{
    private byte[][] _hellos = [];
    private byte[][] _ja3Texts = [];
    private string[] _userAgents = [];
    private Regex[] _allPatterns = [];
    private CrawlerList _crawlers = null!;

    [GlobalSetup]
    public void Setup()
    {
        var root = FindRepositoryRoot();
        var hellos = Path.Combine(root, "..", "shared", "data", "ja4", "clienthellos.jsonl");
        var cache = Environment.GetEnvironmentVariable("BULWARK_DATA_DIR") is { Length: > 0 } dir
            ? dir
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "bulwark", "data");
        var crawlers = Path.Combine(cache, "crawler-user-agents", "package", "crawler-user-agents.json");
        var userAgents = Path.Combine(cache, "user-agents", "package", "dist", "user-agents.json");
        foreach (var file in new[] { hellos, crawlers, userAgents })
        {
            if (!File.Exists(file))
            {
                Console.Error.WriteLine($"FingerprintBenchmarks: missing {file} (scripts/fetch-data.sh, or clone beside ../shared)");
                Environment.Exit(2);
            }
        }

        _hellos = File.ReadLines(hellos).Where(l => l.Length > 0)
            .Select(l => Convert.FromHexString(JsonDocument.Parse(l).RootElement.GetProperty("record_hex").GetString()!)).ToArray();
        _ja3Texts = _hellos.Select(h => TlsClientFingerprinter.TryCompute(h, out var f, out _) ? System.Text.Encoding.ASCII.GetBytes(f.Ja3Text.ToString()) : []).ToArray();
        _crawlers = CrawlerList.Load(crawlers);
        using var list = JsonDocument.Parse(File.ReadAllBytes(crawlers));
        _allPatterns = list.RootElement.EnumerateArray().Select(e => new Regex(e.GetProperty("pattern").GetString()!, RegexOptions.CultureInvariant)).ToArray();
        using var agents = JsonDocument.Parse(File.ReadAllBytes(userAgents));
        _userAgents = agents.RootElement.EnumerateArray().Take(1000).Select(e => e.GetProperty("userAgent").GetString()!).ToArray();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = 55)]
    [BenchmarkCategory("hello")]
    public int ParserPath()
    {
        var length = 0;
        foreach (var record in _hellos)
        {
            ClientHelloParser.TryParse(record, out var hello, out _);
            length += Ja3Fingerprint.Compute(hello!).Length + Ja3Fingerprint.ComputeText(hello!).Length + Ja4Fingerprint.Compute(hello!).Length;
        }

        return length;
    }

    [Benchmark(OperationsPerInvoke = 55)]
    [BenchmarkCategory("hello")]
    public int InPlace()
    {
        var length = 0;
        foreach (var record in _hellos)
        {
            TlsClientFingerprinter.TryCompute(record, out var fingerprint, out _);
            length += fingerprint!.Ja3.Length + fingerprint.Ja3Text.Length + fingerprint.Ja4.Length;
        }

        return length;
    }

    /// <summary>
    /// The hashing alone: one MD5 and two SHA-256 one-shot <c>HashData</c> calls (OpenSSL underneath) into stack spans,
    /// per hello, over that hello's JA3 text (about the length of JA4's hash inputs): what the in-place path spends hashing.
    /// </summary>
    [Benchmark(OperationsPerInvoke = 55)]
    [BenchmarkCategory("hello")]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5351", Justification = "JA3's MD5, measured.")]
    public int HashesOnly()
    {
        Span<byte> md5 = stackalloc byte[16];
        Span<byte> sha = stackalloc byte[32];
        var sum = 0;
        foreach (var text in _ja3Texts)
        {
            System.Security.Cryptography.MD5.HashData(text, md5);
            System.Security.Cryptography.SHA256.HashData(text, sha);
            sum += sha[0];
            System.Security.Cryptography.SHA256.HashData(text, sha);
            sum += md5[0] + sha[1];
        }

        return sum;
    }

    /// <summary>The same three digests through IncrementalHash objects kept and reused (one OpenSSL context each).</summary>
    [Benchmark(OperationsPerInvoke = 55)]
    [BenchmarkCategory("hello")]
    public int HashesReusedContexts()
    {
        Span<byte> md5 = stackalloc byte[16];
        Span<byte> sha = stackalloc byte[32];
        var sum = 0;
        foreach (var text in _ja3Texts)
        {
            _md5.AppendData(text);
            _md5.TryGetHashAndReset(md5, out _);
            _sha.AppendData(text);
            _sha.TryGetHashAndReset(sha, out _);
            sum += sha[0];
            _sha.AppendData(text);
            _sha.TryGetHashAndReset(sha, out _);
            sum += md5[0] + sha[1];
        }

        return sum;
    }

#pragma warning disable CA5351 // JA3's MD5, measured
    private readonly System.Security.Cryptography.IncrementalHash _md5 = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.MD5);
#pragma warning restore CA5351
    private readonly System.Security.Cryptography.IncrementalHash _sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);

    [Benchmark(Baseline = true, OperationsPerInvoke = 1000)]
    [BenchmarkCategory("crawlers")]
    public int EveryPattern()
    {
        var hits = 0;
        foreach (var ua in _userAgents)
        {
            foreach (var pattern in _allPatterns)
            {
                if (pattern.IsMatch(ua))
                {
                    hits++;
                    break;
                }
            }
        }

        return hits;
    }

    [Benchmark(OperationsPerInvoke = 1000)]
    [BenchmarkCategory("crawlers")]
    public int LiteralPrefilter()
    {
        var hits = 0;
        foreach (var ua in _userAgents)
        {
            hits += _crawlers.Match(ua) is null ? 0 : 1;
        }

        return hits;
    }

    /// <summary>The folder holding Bulwark.sln, from the working directory or the binary's.</summary>
    internal static string FindRepositoryRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Bulwark.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException("cannot find Bulwark.sln");
    }
}
