using Bulwark.Core.Fingerprints;

namespace Bulwark.Core.Tests.Fingerprints;

public sealed class ClientHelloParserTests
{
    private static ClientHelloBuilder Typical() => new ClientHelloBuilder()
        .WithCiphers(0x1A1A, 0x1301, 0x1302, 0xc02b)
        .WithServerName("api.example.com").WithAlpn("h2", "http/1.1").WithSupportedVersions(0x0304, 0x0303)
        .WithSignatureAlgorithms(0x0403, 0x0804).WithSupportedGroups(0x001d, 0x0017).WithPointFormats(0).WithExtension(0x0023);

    private static string Fails(byte[] data)
    {
        Assert.False(ClientHelloParser.TryParse(data, out var hello, out var error));
        Assert.Null(hello);
        Assert.False(string.IsNullOrEmpty(error));
        return error;
    }

    [Fact]
    public void Reads_every_field_in_the_order_sent()
    {
        var hello = Typical().Parse();

        Assert.Equal(TlsTransport.Tls, hello.Transport);
        Assert.Equal((ushort)0x0301, hello.RecordVersion);
        Assert.Equal((ushort)0x0303, hello.LegacyVersion);
        Assert.Equal(new ushort[] { 0x1A1A, 0x1301, 0x1302, 0xc02b }, hello.CipherSuites.ToArray());
        Assert.Equal(new ushort[] { 0x0000, 0x0010, 0x002b, 0x000d, 0x000a, 0x000b, 0x0023 }, hello.Extensions.Select(e => e.Type));
        Assert.True(hello.HasServerName);
        Assert.Equal("api.example.com", hello.ServerName);
        Assert.Equal(["h2", "http/1.1"], hello.AlpnProtocols.Select(p => System.Text.Encoding.ASCII.GetString(p.Span)));
        Assert.Equal(new ushort[] { 0x0304, 0x0303 }, hello.SupportedVersions.ToArray());
        Assert.Equal(new ushort[] { 0x0403, 0x0804 }, hello.SignatureAlgorithms.ToArray());
        Assert.Equal(new ushort[] { 0x001d, 0x0017 }, hello.SupportedGroups.ToArray());
        Assert.Equal(new byte[] { 0 }, hello.EcPointFormats.ToArray());
        Assert.Equal(new byte[] { 0 }, hello.CompressionMethods.ToArray());
        Assert.Equal(1, hello.RecordCount);
    }

    [Fact]
    public void A_bare_handshake_message_parses_without_a_record_version()
    {
        Assert.True(ClientHelloParser.TryParse(Typical().Handshake(), out var hello, out var error), error);
        Assert.Null(hello.RecordVersion);
        Assert.Equal(0, hello.RecordCount);
        Assert.Equal(Ja4Fingerprint.Compute(Typical().Parse()), Ja4Fingerprint.Compute(hello));
    }

    [Fact]
    public void A_multi_segment_sequence_as_kestrel_may_give_it_parses_like_the_span()
    {
        var record = Typical().Record();
        var first = new Segment(record.AsMemory(0, 7));
        var last = first.Append(record.AsMemory(7, 50)).Append(record.AsMemory(57));
        var sequence = new System.Buffers.ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);

        Assert.False(sequence.IsSingleSegment);
        Assert.True(ClientHelloParser.TryParse(sequence, out var hello, out var error), error);
        Assert.Equal(Ja4Fingerprint.ComputeRawOriginal(Typical().Parse()), Ja4Fingerprint.ComputeRawOriginal(hello));
        Assert.True(ClientHelloParser.TryParse(new System.Buffers.ReadOnlySequence<byte>(record), out _, out error), error);
    }

    private sealed class Segment : System.Buffers.ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }

    [Fact]
    public void A_hello_split_over_several_records_is_reassembled_when_they_are_all_given()
    {
        var whole = Typical().Parse();

        Assert.True(ClientHelloParser.TryParse(Typical().Records(payloadSize: 40), out var split, out var error), error);

        Assert.True(split.RecordCount > 2);
        Assert.Equal(Ja4Fingerprint.ComputeRawOriginal(whole), Ja4Fingerprint.ComputeRawOriginal(split));
        Assert.Equal(Ja3Fingerprint.ComputeText(whole), Ja3Fingerprint.ComputeText(split));
    }

    [Fact]
    public void The_first_record_of_a_split_hello_alone_is_reported_incomplete()
    {
        var records = Typical().Records(payloadSize: 100);
        var firstRecord = records[..(5 + 100)];
        var handshakeLength = Typical().Body().Length;

        var error = Fails(firstRecord);

        Assert.StartsWith("incomplete ClientHello", error, StringComparison.Ordinal);
        Assert.Contains($"{handshakeLength} bytes", error, StringComparison.Ordinal);
        Assert.Contains("holds 96", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new byte[0], "no bytes")]
    [InlineData(new byte[] { 0x17, 0x03, 0x03, 0x00, 0x01, 0x00 }, "content type 23 (application_data)")]
    [InlineData(new byte[] { 0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28 }, "content type 21 (alert)")]
    [InlineData(new byte[] { 0x47, 0x45, 0x54, 0x20 }, "first byte 0x47")]
    [InlineData(new byte[] { 0x80, 0x2e, 0x01, 0x03, 0x01 }, "SSL 2.0")]
    [InlineData(new byte[] { 0x16, 0x03 }, "truncated record header")]
    [InlineData(new byte[] { 0x16, 0x07, 0x01, 0x00, 0x00 }, "neither TLS")]
    [InlineData(new byte[] { 0x16, 0x03, 0x01, 0x50, 0x00 }, "exceeds the 16384 bytes")]
    [InlineData(new byte[] { 0x16, 0x03, 0x01, 0x00, 0x08, 0x01, 0x00 }, "truncated record: the header says 8 bytes, 2 are present")]
    [InlineData(new byte[] { 0x16, 0x03, 0x01, 0x00, 0x04, 0x02, 0x00, 0x00, 0x00 }, "handshake type 2 is not ClientHello (1)")]
    [InlineData(new byte[] { 0x16, 0x03, 0x01, 0x00, 0x02, 0x01, 0x00 }, "truncated handshake header")]
    [InlineData(new byte[] { 0x16, 0x03, 0x01, 0x00, 0x00 }, "empty handshake record")]
    public void Malformed_records_fail_with_a_clear_message(byte[] data, string expected)
    {
        Assert.Contains(expected, Fails(data), StringComparison.Ordinal);
    }

    [Fact]
    public void Malformed_hello_bodies_fail_with_a_clear_message()
    {
        // Odd cipher_suites length.
        var body = Typical().Body();
        var cipherLengthAt = 2 + 32 + 1 + 32;
        var odd = (byte[])body.Clone();
        odd[cipherLengthAt + 1] = 7;
        Assert.Contains("cipher_suites", Fails(ClientHelloBuilder.Record(0x0301, ClientHelloBuilder.Handshake(odd))), StringComparison.Ordinal);

        // session_id over 32 bytes.
        Assert.Contains("session_id length 33", Fails(new ClientHelloBuilder { SessionId = new byte[33] }.WithCiphers(0x1301).Record()), StringComparison.Ordinal);

        // An extension whose length runs past the block.
        var overrun = new ClientHelloBuilder().WithCiphers(0x1301).WithExtension(0x0023, 1, 2, 3, 4).Body();
        overrun[^5] = 0x40; // the extension's length byte: 4 → 0x40
        Assert.Contains("extension 1", Fails(ClientHelloBuilder.Record(0x0301, ClientHelloBuilder.Handshake(overrun))), StringComparison.Ordinal);

        // Bytes after the extensions block.
        byte[] trailing = [.. Typical().Body(), 0xAA];
        Assert.Contains("1 bytes after the extensions block", Fails(ClientHelloBuilder.Record(0x0301, ClientHelloBuilder.Handshake(trailing))), StringComparison.Ordinal);

        // One stray byte where the extensions length belongs.
        byte[] stray = [.. new ClientHelloBuilder { WriteExtensionsBlock = false }.WithCiphers(0x1301).Body(), 0x00];
        Assert.Contains("extensions length belongs", Fails(ClientHelloBuilder.Record(0x0301, ClientHelloBuilder.Handshake(stray))), StringComparison.Ordinal);

        // Inner lists that disagree with their extension.
        Assert.Contains("supported_versions", Fails(new ClientHelloBuilder().WithCiphers(0x1301).WithExtension(0x002b, 3, 3, 4, 3).Record()), StringComparison.Ordinal);
        Assert.Contains("signature_algorithms", Fails(new ClientHelloBuilder().WithCiphers(0x1301).WithExtension(0x000d, 0, 3, 4, 3, 1).Record()), StringComparison.Ordinal);
        Assert.Contains("application_layer_protocol_negotiation", Fails(new ClientHelloBuilder().WithCiphers(0x1301).WithExtension(0x0010, 0, 3, 5, (byte)'h', (byte)'2').Record()), StringComparison.Ordinal);
        Assert.Contains("server_name", Fails(new ClientHelloBuilder().WithCiphers(0x1301).WithExtension(0x0000, 0, 9, 0, 0, 1, (byte)'x').Record()), StringComparison.Ordinal);
        Assert.Contains("ec_point_formats", Fails(new ClientHelloBuilder().WithCiphers(0x1301).WithExtension(0x000b, 5, 0).Record()), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_truncation_of_a_valid_record_fails_cleanly()
    {
        var record = Typical().Record();
        for (var length = 0; length < record.Length; length++)
        {
            Assert.False(ClientHelloParser.TryParse(record.AsSpan(0, length), out _, out var error), $"length {length}");
            Assert.NotNull(error);
        }
    }

    [Fact]
    public void Hundreds_of_thousands_of_random_and_mutated_inputs_never_throw()
    {
        var random = new Random(20261122);
        var seeds = new[] { Typical().Record(), Typical().Records(payloadSize: 30), Typical().Handshake(), Typical().DtlsRecord() };
        var buffer = new byte[600];
        var parsed = 0;
        for (var i = 0; i < 300_000; i++)
        {
            ReadOnlySpan<byte> input;
            if (i % 4 == 0)
            {
                var length = random.Next(buffer.Length);
                random.NextBytes(buffer.AsSpan(0, length));
                if (length > 1)
                {
                    buffer[0] = 0x16;
                    buffer[1] = (byte)(i % 8 == 0 ? 0x03 : 0xFE);
                }

                input = buffer.AsSpan(0, length);
            }
            else
            {
                var seed = seeds[i % seeds.Length];
                seed.CopyTo(buffer, 0);
                for (var flips = random.Next(1, 4); flips > 0; flips--)
                {
                    buffer[random.Next(seed.Length)] = (byte)random.Next(256);
                }

                input = buffer.AsSpan(0, random.Next(2) == 0 ? seed.Length : random.Next(seed.Length + 1));
            }

            if (ClientHelloParser.TryParse(input, out var hello, out _))
            {
                parsed++;
                Assert.Equal(36, Ja4Fingerprint.Compute(hello).Length);
                Assert.Equal(36, Ja4Fingerprint.ComputeOriginal(hello).Length);
                Assert.NotEmpty(Ja4Fingerprint.ComputeRaw(hello));
                Assert.NotEmpty(Ja4Fingerprint.ComputeRawOriginal(hello));
                Assert.Equal(32, Ja3Fingerprint.Compute(hello).Length);
                Assert.NotEmpty(Ja3Fingerprint.ComputeText(hello));
            }
        }

        Assert.InRange(parsed, 1000, 300_000); // mutations that keep the hello valid exercise the fingerprints too
    }
}
