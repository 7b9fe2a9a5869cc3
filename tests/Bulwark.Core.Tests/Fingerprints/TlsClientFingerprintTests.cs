using System.Text.Json;
using Bulwark.Core.Fingerprints;
using Bulwark.Core.Tests.Data;

namespace Bulwark.Core.Tests.Fingerprints;

/// <summary>
/// <see cref="TlsClientFingerprint"/>'s one-string layout, the in-place path's single allocation, and the curl and
/// python-requests ClientHellos captured on 127.0.0.1 (Data/local-clienthellos.jsonl, the hellos the handshake benchmark
/// measures) through both paths.
/// </summary>
public sealed class TlsClientFingerprintTests
{
    private static readonly byte[] Chromeish = new ClientHelloBuilder()
        .WithCiphers(0x0A0A, 0x1301, 0x1302, 0x1303, 0xC02B, 0xC02F, 0xC02C, 0xC030, 0xCCA9, 0xCCA8, 0xC013, 0xC014, 0x009C, 0x009D, 0x002F, 0x0035)
        .WithServerName("www.example.com").WithAlpn("h2", "http/1.1").WithSupportedVersions(0x1A1A, 0x0304, 0x0303)
        .WithSignatureAlgorithms(0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601)
        .WithSupportedGroups(0x2A2A, 0x001D, 0x0017, 0x0018).WithPointFormats(0).Record();

    public static TheoryData<string> LocalClients() => new() { "curl", "python-requests" };

    [Fact]
    public void Text_holds_ja4_ja3_and_the_ja3_string_and_the_parts_are_spans_of_it()
    {
        Assert.True(TlsClientFingerprinter.TryCompute(Chromeish, out var fingerprint, out var error), error);
        Assert.True(ClientHelloParser.TryParse(Chromeish, out var hello, out error), error);

        var ja4 = Ja4Fingerprint.Compute(hello);
        var ja3 = Ja3Fingerprint.Compute(hello);
        var ja3Text = Ja3Fingerprint.ComputeText(hello);
        Assert.Equal($"{ja4} {ja3} {ja3Text}", fingerprint.Text);
        Assert.Equal(ja4, fingerprint.Ja4);
        Assert.Equal(ja3, fingerprint.Ja3);
        Assert.Equal(ja3Text, fingerprint.Ja3Text);
        Assert.Equal("t13d1506h2", fingerprint.Ja4[..10]); // 15 ciphers and 6 extensions without GREASE
        Assert.True(fingerprint.OfferedH2);
        Assert.Equal(1, fingerprint.RecordCount);
        Assert.Equal(fingerprint.Text, fingerprint.ToString());

        var engine = fingerprint.ToTlsFingerprints();
        Assert.Equal(ja4, engine.Ja4);
        Assert.Equal(ja3, engine.Ja3);
        Assert.True(engine.OfferedH2);
    }

    [Fact]
    public void The_default_value_is_no_fingerprint()
    {
        var none = default(TlsClientFingerprint);
        Assert.Equal(string.Empty, none.Text);
        Assert.True(none.Ja4.IsEmpty);
        Assert.True(none.Ja3.IsEmpty);
        Assert.True(none.Ja3Text.IsEmpty);
        Assert.Equal(0, none.RecordCount);

        Assert.False(TlsClientFingerprinter.TryCompute([0x16, 0x03, 0x01, 0x00, 0x01, 0x02], out var refused, out var error));
        Assert.False(string.IsNullOrEmpty(error));
        Assert.Equal(string.Empty, refused.Text);
    }

    [Fact]
    public void The_in_place_path_allocates_only_the_result_string()
    {
        // Warm up: the per-thread hash contexts and the JIT allocate on the first calls, not per handshake.
        for (var i = 0; i < 3; i++)
        {
            Assert.True(TlsClientFingerprinter.TryCompute(Chromeish, out _, out _));
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        TlsClientFingerprinter.TryCompute(Chromeish, out var fingerprint, out _);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // A string object on 64-bit: 8-byte header, method table, 4-byte length, the characters and a terminator, 8-aligned.
        var stringSize = (8 + 8 + 4 + (2 * fingerprint.Text.Length) + 2 + 7) & ~7;
        Assert.Equal(stringSize, allocated);
    }

    [Theory]
    [MemberData(nameof(LocalClients))]
    public void Captured_local_clients_agree_on_both_paths_and_match_their_catalogue_family(string client)
    {
        var path = Path.Combine(TestData.RepositoryRoot, "tests", "Bulwark.Core.Tests", "Fingerprints", "Data", "local-clienthellos.jsonl");
        var line = File.ReadLines(path).Single(l => l.StartsWith($"{{\"source\": \"{client} ", StringComparison.Ordinal));
        using var doc = JsonDocument.Parse(line);
        var record = Convert.FromHexString(doc.RootElement.GetProperty("record_hex").GetString()!);

        Assert.True(TlsClientFingerprinter.TryComputeInPlace(record, out var fast), $"{client}: the in-place path refused the hello");
        Assert.True(ClientHelloParser.TryParse(record, out var hello, out var error), error);
        var slow = TlsClientFingerprinter.FromHello(hello);
        Assert.Equal(slow.Text, fast.Text);
        Assert.Equal(slow.OfferedH2, fast.OfferedH2);

        // The catalogue's entries for these clients were captured separately (the real-client integration tests).
        var entry = FingerprintCatalogue.BuiltIn.Lookup(fast.Ja4.ToString(), fast.Ja3.ToString());
        Assert.NotNull(entry);
        Assert.Equal(client, entry.Family);
    }
}
