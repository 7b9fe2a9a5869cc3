using Bulwark.Core.Fingerprints;

namespace Bulwark.Core.Tests.Fingerprints;

public sealed class Ja4FingerprintTests
{
    private static readonly ushort[] SpecCiphers = [0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035];
    private static readonly ushort[] SpecSignatures = [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601];

    /// <summary>The worked example of technical_details/JA4.md, extensions in its order.</summary>
    private static ClientHelloBuilder SpecExample(ushort[]? signatures = null, bool grease = false)
    {
        var builder = new ClientHelloBuilder();
        if (grease)
        {
            builder.WithCiphers(0x2A2A).WithExtension(0x0A0A);
        }

        builder.WithCiphers(SpecCiphers)
            .WithExtension(0x001b).WithServerName("example.com").WithExtension(0x0033).WithAlpn("h2", "http/1.1").WithExtension(0x4469)
            .WithExtension(0x0017).WithExtension(0x002d).WithSignatureAlgorithms(signatures ?? SpecSignatures).WithExtension(0x0005).WithExtension(0x0023)
            .WithExtension(0x0012);
        if (grease)
        {
            builder.WithSupportedVersions(0xFAFA, 0x0304, 0x0303).WithExtension(0xff01).WithPointFormats(0).WithSupportedGroups(0x3A3A, 0x001d, 0x0017).WithExtension(0xDADA);
        }
        else
        {
            builder.WithSupportedVersions(0x0304, 0x0303).WithExtension(0xff01).WithPointFormats(0).WithSupportedGroups(0x001d, 0x0017);
        }

        return builder.WithExtension(0x0015);
    }

    [Fact]
    public void The_specification_example_gives_its_published_fingerprints()
    {
        var hello = SpecExample().Parse();

        Assert.Equal("t13d1516h2_8daaf6152771_e5627efa2ab1", Ja4Fingerprint.Compute(hello));
        Assert.Equal("t13d1516h2_002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9_0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01_0403,0804,0401,0503,0805,0501,0806,0601", Ja4Fingerprint.ComputeRaw(hello));
        Assert.Equal("t13d1516h2_acb858a92679_18f69afefd3d", Ja4Fingerprint.ComputeOriginal(hello));
        Assert.Equal("t13d1516h2_1301,1302,1303,c02b,c02f,c02c,c030,cca9,cca8,c013,c014,009c,009d,002f,0035_001b,0000,0033,0010,4469,0017,002d,000d,0005,0023,0012,002b,ff01,000b,000a,0015_0403,0804,0401,0503,0805,0501,0806,0601", Ja4Fingerprint.ComputeRawOriginal(hello));
    }

    [Fact]
    public void Without_signature_algorithms_the_extension_string_has_no_underscore()
    {
        // JA4.md: "0005,000a,…,4469,ff01 = 6d807ffa2a79" (signature_algorithms present but empty).
        var hello = SpecExample(signatures: []).Parse();

        Assert.Equal("t13d1516h2_8daaf6152771_6d807ffa2a79", Ja4Fingerprint.Compute(hello));
        Assert.EndsWith("_0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01", Ja4Fingerprint.ComputeRaw(hello), StringComparison.Ordinal);
    }

    [Fact]
    public void Grease_is_ignored_in_ciphers_extensions_groups_signatures_and_versions()
    {
        var plain = SpecExample().Parse();
        var greased = SpecExample(signatures: [0x1A1A, .. SpecSignatures], grease: true).Parse();

        Assert.Equal(18, greased.Extensions.Count); // the two GREASE extensions are parsed and kept …
        Assert.Equal(Ja4Fingerprint.Compute(plain), Ja4Fingerprint.Compute(greased)); // … but neither counted nor hashed
        Assert.Equal(Ja4Fingerprint.ComputeRaw(plain), Ja4Fingerprint.ComputeRaw(greased));
        Assert.Equal(Ja4Fingerprint.ComputeOriginal(plain), Ja4Fingerprint.ComputeOriginal(greased));
        Assert.Equal(Ja4Fingerprint.ComputeRawOriginal(plain), Ja4Fingerprint.ComputeRawOriginal(greased));
    }

    [Fact]
    public void Grease_values_are_exactly_the_sixteen_reserved_code_points()
    {
        var grease = Enumerable.Range(0, 0x10000).Where(v => TlsGrease.IsGrease((ushort)v)).ToArray();
        Assert.Equal(Enumerable.Range(0, 16).Select(i => (i << 12) | 0x0A00 | (i << 4) | 0x0A), grease);
    }

    [Fact]
    public void Empty_lists_hash_to_twelve_zeros()
    {
        var hello = new ClientHelloBuilder { WriteExtensionsBlock = false }.Parse();

        Assert.Equal("t12i000000_000000000000_000000000000", Ja4Fingerprint.Compute(hello));
        Assert.Equal("t12i000000_000000000000_000000000000", Ja4Fingerprint.ComputeOriginal(hello));
        Assert.Equal("t12i000000__", Ja4Fingerprint.ComputeRaw(hello));
    }

    [Fact]
    public void Only_sni_and_alpn_leave_the_extension_hash_zero_in_both_orders()
    {
        // As FoxIO's outputs for pcap/socks-https-example.pcap (SNI only): …_000000000000 in ja4 and ja4_o alike.
        var hello = new ClientHelloBuilder().WithCiphers(0x002f).WithServerName("a.example").WithAlpn("h2").Parse();

        Assert.Equal("t12d0102h2_", Ja4Fingerprint.Compute(hello)[..11]);
        Assert.EndsWith("_000000000000", Ja4Fingerprint.Compute(hello), StringComparison.Ordinal);
        Assert.EndsWith("_000000000000", Ja4Fingerprint.ComputeOriginal(hello), StringComparison.Ordinal);
        Assert.Equal("t12d0102h2_002f_", Ja4Fingerprint.ComputeRaw(hello));
        Assert.Equal("t12d0102h2_002f_0000,0010", Ja4Fingerprint.ComputeRawOriginal(hello));
    }

    [Theory]
    [InlineData(null, "00")]
    [InlineData(new string[0], "00")]
    [InlineData(new[] { "" }, "00")]
    [InlineData(new[] { "h2", "http/1.1" }, "h2")]
    [InlineData(new[] { "http/1.1", "h2" }, "h1")]
    [InlineData(new[] { "h" }, "hh")]
    [InlineData(new[] { "h3-29" }, "h9")]
    [InlineData(new[] { "spdy/3" }, "s3")]
    [InlineData(new[] { "h2/" }, "99")]
    [InlineData(new[] { "/h2" }, "99")]
    [InlineData(new[] { "-" }, "99")]
    public void Alpn_gives_first_and_last_character_of_the_first_value(string[]? protocols, string expected)
    {
        var builder = new ClientHelloBuilder().WithCiphers(0x1301);
        if (protocols is not null)
        {
            builder.WithAlpn(protocols);
        }

        Assert.Equal(expected, Ja4Fingerprint.Compute(builder.Parse())[8..10]);
    }

    [Fact]
    public void Alpn_with_non_ascii_bytes_gives_99_as_the_reference_outputs_do()
    {
        // pcap/tls-non-ascii-alpn.pcapng offers 0xBA 0xAD first; FoxIO's output is t13d151699_…
        var hello = new ClientHelloBuilder().WithCiphers(0x1301).WithAlpn([0xBA, 0xAD], "http/1.1"u8.ToArray()).Parse();
        Assert.Equal("99", Ja4Fingerprint.Compute(hello)[8..10]);
        var ascii = new ClientHelloBuilder().WithCiphers(0x1301).WithAlpn([0x30, 0xAB]).Parse();
        Assert.Equal("99", Ja4Fingerprint.Compute(ascii)[8..10]);
    }

    [Theory]
    [InlineData(0x0304, null, "13")]
    [InlineData(0x0303, null, "12")]
    [InlineData(0x0302, null, "11")]
    [InlineData(0x0301, null, "10")]
    [InlineData(0x0300, null, "s3")]
    [InlineData(0x0305, null, "00")]
    [InlineData(0x0303, new ushort[] { 0x0303, 0x0304 }, "13")] // highest, not first
    [InlineData(0x0303, new ushort[] { 0x0A0A, 0x0302 }, "11")]
    [InlineData(0x0301, new ushort[] { 0x0A0A }, "10")] // only GREASE: the legacy version
    public void Version_is_the_highest_supported_version_else_the_legacy_version(int legacy, ushort[]? supported, string expected)
    {
        var builder = new ClientHelloBuilder { LegacyVersion = (ushort)legacy, RecordVersion = 0x0301 }.WithCiphers(0x002f);
        if (supported is not null)
        {
            builder.WithSupportedVersions(supported);
        }

        Assert.Equal(expected, Ja4Fingerprint.Compute(builder.Parse())[1..3]);
    }

    [Fact]
    public void Counts_are_capped_at_99()
    {
        var builder = new ClientHelloBuilder().WithCiphers(Enumerable.Range(1, 120).Select(i => (ushort)i).ToArray());
        for (var i = 0; i < 105; i++)
        {
            builder.WithExtension((ushort)(0x1000 + i));
        }

        var hello = builder.Parse();

        Assert.Equal("t12i9999", Ja4Fingerprint.Compute(hello)[..8]);
        Assert.Equal(120, Ja4Fingerprint.ComputeRaw(hello).Split('_')[1].Split(',').Length);
    }

    [Fact]
    public void Quic_is_declared_by_the_caller_and_dtls_recognised_from_the_record()
    {
        var builder = new ClientHelloBuilder().WithCiphers(0x1301).WithServerName("q.example").WithAlpn("h3").WithSupportedVersions(0x0304);
        Assert.True(ClientHelloParser.TryParseHandshake(builder.Handshake(), TlsTransport.Quic, out var quic, out var error), error);
        Assert.Equal("q13d0103h3", Ja4Fingerprint.Compute(quic)[..10]);

        var dtls = new ClientHelloBuilder { LegacyVersion = 0xFEFD }.WithCiphers(0xc02b).WithSupportedVersions(0xFEFD, 0xFEFC);
        Assert.True(ClientHelloParser.TryParse(dtls.DtlsRecord(), out var hello, out error), error);
        Assert.Equal(TlsTransport.Dtls, hello.Transport);
        Assert.Equal("dd3i0101", Ja4Fingerprint.Compute(hello)[..8]);
    }
}
