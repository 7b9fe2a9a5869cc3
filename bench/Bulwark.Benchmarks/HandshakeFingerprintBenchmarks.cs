using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Bulwark.Core.Fingerprints;

namespace Bulwark.Benchmarks;

/// <summary>
/// JA3 (text and MD5) and JA4 of one real ClientHello record, per handshake, as the Kestrel hook computes them:
/// <see cref="TlsClientFingerprinter"/> against the parser path (<see cref="ClientHelloParser"/> +
/// <see cref="Ja3Fingerprint"/> + <see cref="Ja4Fingerprint"/>, the baseline) in the same run. The clients: Chromium
/// (www.google.com, stream 1 of FoxIO's tls-handshake.pcapng in ../shared/data/ja4/clienthellos.jsonl), curl and
/// python-requests (captured on 127.0.0.1, tests/Bulwark.Core.Tests/Fingerprints/Data/local-clienthellos.jsonl).
/// Allocated bytes are per handshake: the in-place row's goal is one string. <see cref="InPlaceDotNetSha256"/> is the
/// in-place path with JA4's SHA-256 through .NET (<c>IncrementalHash</c>, the path before <see cref="Ja4Sha256"/> called
/// libcrypto directly, and the fallback where libcrypto is absent), so the two are compared in one run.
/// </summary>
[MemoryDiagnoser]
public class HandshakeFingerprintBenchmarks
{
    private byte[] _record = [];
    private Ja4Sha256? _sha256;

    [Params("chromium", "curl", "python-requests")]
    public string Client { get; set; } = "chromium";

    [GlobalSetup(Target = nameof(InPlaceDotNetSha256))]
    public void SetupDotNetSha256()
    {
        Setup();
        _sha256 = Ja4Sha256.Current;
        Ja4Sha256.Current = Ja4Sha256.DotNet;
    }

    [GlobalCleanup(Target = nameof(InPlaceDotNetSha256))]
    public void CleanupDotNetSha256() => Ja4Sha256.Current = _sha256!;

    [GlobalSetup(Targets = [nameof(ParserPath), nameof(InPlace)])]
    public void Setup()
    {
        var root = FingerprintBenchmarks.FindRepositoryRoot();
        var (file, source) = Client switch
        {
            "chromium" => (Path.Combine(root, "..", "shared", "data", "ja4", "clienthellos.jsonl"), "tls-handshake.pcapng|1|www.google.com"),
            "curl" => (Path.Combine(root, "tests", "Bulwark.Core.Tests", "Fingerprints", "Data", "local-clienthellos.jsonl"), "curl "),
            _ => (Path.Combine(root, "tests", "Bulwark.Core.Tests", "Fingerprints", "Data", "local-clienthellos.jsonl"), "python-requests "),
        };
        if (!File.Exists(file))
        {
            Console.Error.WriteLine($"HandshakeFingerprintBenchmarks: missing {file}");
            Environment.Exit(2);
        }

        foreach (var line in File.ReadLines(file).Where(l => l.Length > 0))
        {
            using var doc = JsonDocument.Parse(line);
            var root2 = doc.RootElement;
            var name = root2.GetProperty("source").GetString()!;
            var matches = source.Contains('|', StringComparison.Ordinal)
                ? name.EndsWith(source.Split('|')[0], StringComparison.Ordinal) && root2.GetProperty("stream").GetInt32() == int.Parse(source.Split('|')[1], System.Globalization.CultureInfo.InvariantCulture)
                : name.StartsWith(source, StringComparison.Ordinal);
            if (matches)
            {
                _record = Convert.FromHexString(root2.GetProperty("record_hex").GetString()!);
                return;
            }
        }

        Console.Error.WriteLine($"HandshakeFingerprintBenchmarks: no {Client} hello in {file}");
        Environment.Exit(2);
    }

    [Benchmark(Baseline = true)]
    public int ParserPath()
    {
        ClientHelloParser.TryParse(_record, out var hello, out _);
        return Ja3Fingerprint.Compute(hello!).Length + Ja3Fingerprint.ComputeText(hello!).Length + Ja4Fingerprint.Compute(hello!).Length;
    }

    [Benchmark]
    public int InPlace()
    {
        TlsClientFingerprinter.TryCompute(_record, out var fingerprint, out _);
        return fingerprint!.Ja3.Length + fingerprint.Ja3Text.Length + fingerprint.Ja4.Length;
    }

    [Benchmark]
    public int InPlaceDotNetSha256()
    {
        TlsClientFingerprinter.TryCompute(_record, out var fingerprint, out _);
        return fingerprint!.Ja3.Length + fingerprint.Ja3Text.Length + fingerprint.Ja4.Length;
    }
}
