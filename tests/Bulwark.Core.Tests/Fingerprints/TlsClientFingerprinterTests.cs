using System.Text.Json;
using Bulwark.Core.Fingerprints;
using Bulwark.Core.Tests.Data;

namespace Bulwark.Core.Tests.Fingerprints;

/// <summary>
/// The per-connection fast path (<see cref="TlsClientFingerprinter"/>) against the parser path (<see cref="ClientHelloParser"/>
/// + <see cref="Ja3Fingerprint"/>/<see cref="Ja4Fingerprint"/>): same fingerprints on every reference hello, on generated
/// hellos, on corrupted ones (where both must agree on failing), and on hellos split over several records.
/// </summary>
public sealed class TlsClientFingerprinterTests
{
    private const string Fixtures = "shared:ja4/clienthellos.jsonl";

    [DataFact(Fixtures)]
    public void In_place_path_equals_the_parser_on_every_reference_hello()
    {
        var checkedCount = 0;
        foreach (var line in File.ReadLines(DataFactAttribute.Resolve(Fixtures)))
        {
            if (line.Length == 0)
            {
                continue;
            }

            using var doc = JsonDocument.Parse(line);
            var bytes = Convert.FromHexString(doc.RootElement.GetProperty("record_hex").GetString()!);
            Assert.True(TlsClientFingerprinter.TryComputeInPlace(bytes, out var fast), "in-place path refused a reference hello");
            AssertSame(bytes, fast);
            Assert.Equal(doc.RootElement.GetProperty("ja4").GetString(), fast.Ja4);
            checkedCount++;
        }

        Assert.Equal(55, checkedCount);
    }

    [Fact]
    public void Generated_hellos_agree_and_corruptions_fail_or_agree()
    {
        var random = new Random(1234);
        for (var round = 0; round < 400; round++)
        {
            var builder = new ClientHelloBuilder().WithCiphers([.. Enumerable.Range(0, random.Next(0, 40)).Select(_ => Pick(random))]);
            if (random.Next(2) == 0)
            {
                builder.WithServerName("example.com");
            }

            if (random.Next(3) > 0)
            {
                builder.WithAlpn(random.Next(2) == 0 ? ["h2", "http/1.1"] : ["http/1.1"]);
            }

            builder.WithSupportedVersions(0x0A0A, 0x0304, 0x0303).WithSignatureAlgorithms(0x0403, 0x0804, 0x0401)
                .WithSupportedGroups(0x2A2A, 0x001D, 0x0017).WithPointFormats(0);
            for (var i = random.Next(0, 6); i > 0; i--)
            {
                builder.WithExtension(Pick(random), new byte[random.Next(0, 8)]);
            }

            var record = builder.Record();
            Assert.True(TlsClientFingerprinter.TryComputeInPlace(record, out var fast));
            AssertSame(record, fast);

            // Flip one byte: the parser and the fast path must agree on success and, when both succeed, on the result.
            var corrupt = (byte[])record.Clone();
            corrupt[random.Next(corrupt.Length)] ^= (byte)random.Next(1, 256);
            var slowOk = ClientHelloParser.TryParse(corrupt, out _, out _);
            var ok = TlsClientFingerprinter.TryCompute(corrupt, out var result, out var error);
            Assert.Equal(slowOk, ok);
            if (ok)
            {
                AssertSame(corrupt, result!);
            }
            else
            {
                Assert.False(string.IsNullOrEmpty(error));
            }
        }
    }

    [Fact]
    public void Hello_split_over_two_records_is_reassembled_and_counted()
    {
        var builder = new ClientHelloBuilder().WithCiphers(0x1301, 0x1302).WithServerName("split.example").WithAlpn("h2").WithSupportedVersions(0x0304);
        var whole = builder.Record();
        var split = builder.Records(40);

        Assert.False(TlsClientFingerprinter.TryComputeInPlace(split, out _));
        Assert.True(TlsClientFingerprinter.TryCompute(split, out var fromSplit, out var error), error);
        Assert.True(TlsClientFingerprinter.TryCompute(whole, out var fromWhole, out _));
        Assert.Equal(fromWhole.Ja4, fromSplit.Ja4);
        Assert.Equal(fromWhole.Ja3, fromSplit.Ja3);
        Assert.True(fromSplit.RecordCount > 1);
        Assert.True(fromSplit.OfferedH2);

        // Only the first record (what Kestrel's callback hands over for such a hello): a failure that says why.
        var firstRecordLength = 5 + ((split[3] << 8) | split[4]);
        Assert.False(TlsClientFingerprinter.TryCompute(split.AsSpan(0, firstRecordLength), out _, out var partial));
        Assert.StartsWith("incomplete ClientHello", partial, StringComparison.Ordinal);
    }

    private static ushort Pick(Random random) => random.Next(4) == 0 ? (ushort)(0x0A0A + (0x1010 * random.Next(16))) : (ushort)random.Next(1, 0xFFFF);

    private static void AssertSame(byte[] bytes, TlsClientFingerprint fast)
    {
        Assert.True(ClientHelloParser.TryParse(bytes, out var hello, out var error), error);
        var slow = TlsClientFingerprinter.FromHello(hello);
        Assert.Equal(slow.Ja4, fast.Ja4);
        Assert.Equal(slow.Ja3Text, fast.Ja3Text);
        Assert.Equal(slow.Ja3, fast.Ja3);
        Assert.Equal(slow.OfferedH2, fast.OfferedH2);
    }
}
