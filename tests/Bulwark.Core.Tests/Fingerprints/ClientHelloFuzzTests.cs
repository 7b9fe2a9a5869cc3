using System.Buffers;
using System.Buffers.Binary;
using System.Text.Json;
using Bulwark.Core.Fingerprints;
using Bulwark.Core.Tests.Data;
using Bulwark.Core.Tests.Intel.Database;
using Xunit.Abstractions;

namespace Bulwark.Core.Tests.Fingerprints;

/// <summary>
/// Hostile ClientHellos (issue 3): 300,000 deterministic inputs — random bytes, and mutations of the 55 reference hellos
/// (bit flips, truncations, length fields set to zero, huge or off-by-one values, duplicated extensions, hellos split
/// over records, spliced hellos, trailing garbage) — through BOTH paths: <see cref="TlsClientFingerprinter"/>'s in-place
/// path (what the Kestrel hook runs first, also as a multi-segment sequence) and <see cref="ClientHelloParser"/>. No
/// exception escapes; each result is a fingerprint or a failure with a message; when both paths succeed they agree.
/// Runs alone: it makes a lot of short-lived garbage.
/// </summary>
[Collection(LargeDataCollection.Name)]
public sealed class ClientHelloFuzzTests(ITestOutputHelper output)
{
    private const string Fixtures = "shared:ja4/clienthellos.jsonl";
    private const int Inputs = 300_000;

    [DataFact(Fixtures)]
    public void Random_and_mutated_hellos_never_throw_and_both_paths_agree()
    {
        var seeds = File.ReadLines(DataFactAttribute.Resolve(Fixtures))
            .Where(l => l.Length > 0)
            .Select(l => Convert.FromHexString(JsonDocument.Parse(l).RootElement.GetProperty("record_hex").GetString()!))
            .Select(bytes => new Seed(bytes))
            .ToArray();
        Assert.Equal(55, seeds.Length);

        var random = new Random(20261122);
        var stats = new int[Enum.GetValues<Mutation>().Length];
        int fingerprinted = 0, failed = 0, agreed = 0, reassembled = 0;
        for (var i = 0; i < Inputs; i++)
        {
            var seed = seeds[random.Next(seeds.Length)];
            var mutation = (Mutation)random.Next(stats.Length);
            stats[(int)mutation]++;
            var input = Mutate(mutation, seed, seeds[random.Next(seeds.Length)], random);

            var fastOk = TlsClientFingerprinter.TryComputeInPlace(input, out var fast);
            var parsedOk = ClientHelloParser.TryParse(input, out var hello, out var parseError);
            var ok = TlsClientFingerprinter.TryCompute(input, out var result, out var error);

            // A fingerprint or a failure value, never both, never neither.
            Assert.Equal(parsedOk, ok);
            if (ok)
            {
                fingerprinted++;
                AssertWellFormed(result!);
                var slow = TlsClientFingerprinter.FromHello(hello!);
                AssertSame(slow, result!);
                if (fastOk)
                {
                    agreed++;
                    AssertSame(slow, fast!);
                }

                if (mutation == Mutation.SplitRecords && !fastOk)
                {
                    // The same hello over two records is reassembled to the original's fingerprints.
                    Assert.True(TlsClientFingerprinter.TryCompute(seed.Bytes, out var whole, out _));
                    AssertSame(whole, result!);
                    reassembled++;
                }
            }
            else
            {
                failed++;
                Assert.False(fastOk, "the in-place path accepted what the parser refused");
                Assert.False(string.IsNullOrEmpty(error));
                Assert.False(string.IsNullOrEmpty(parseError));
            }

            // The Kestrel hook's entry point: the same bytes as a sequence of several segments.
            if (i % 8 == 0 && input.Length > 2)
            {
                var sequenceOk = TlsClientFingerprinter.TryCompute(Segmented(input, random), out var fromSequence, out var sequenceError);
                Assert.Equal(ok, sequenceOk);
                if (ok)
                {
                    AssertSame(result!, fromSequence!);
                }
                else
                {
                    Assert.Equal(error, sequenceError);
                }
            }
        }

        output.WriteLine($"{Inputs} inputs: {fingerprinted} fingerprinted ({agreed} by both paths, {reassembled} split hellos reassembled), {failed} refused with a message");

        // Every kind of input was exercised, and both outcomes are common enough to mean something.
        Assert.All(stats, count => Assert.True(count > Inputs / (stats.Length * 2)));
        Assert.InRange(fingerprinted, 20_000, Inputs);
        Assert.InRange(failed, 20_000, Inputs);
        Assert.True(agreed > 10_000, $"both paths succeeded only {agreed} times");
        Assert.True(reassembled > 1_000, $"only {reassembled} split hellos were reassembled");
    }

    [Fact]
    public void Dtls_versions_offered_over_tls_get_the_same_label_on_both_paths()
    {
        // Found by the fuzz run: the in-place path skipped DTLS values in supported_versions, the parser ranks them first.
        foreach (var versions in new ushort[][] { [0xFEFA, 0x0304], [0x0304, 0xFEFD, 0x0303], [0x0A0A, 0xFEFF, 0xFEFC] })
        {
            var record = new ClientHelloBuilder().WithCiphers(0x1301).WithSupportedVersions(versions).Record();
            Assert.True(TlsClientFingerprinter.TryComputeInPlace(record, out var fast));
            Assert.True(ClientHelloParser.TryParse(record, out var hello, out var error), error);
            Assert.Equal(Ja4Fingerprint.Compute(hello), fast.Ja4);
        }

        Assert.True(TlsClientFingerprinter.TryComputeInPlace(new ClientHelloBuilder().WithCiphers(0x1301).WithSupportedVersions(0x0304, 0xFEFD).Record(), out var dtls));
        Assert.StartsWith("td2", dtls.Ja4, StringComparison.Ordinal);
    }

    [Fact]
    public void Oversized_hellos_are_refused_by_the_bounds_not_read()
    {
        // A handshake message claiming 16 MB over as many full records as it takes: refused at the 64 KiB bound.
        var records = new List<byte>();
        var message = new byte[70_000];
        message[0] = 0x01;
        message[1] = 0xFF;
        message[2] = 0xFF;
        message[3] = 0xFF;
        for (var offset = 0; offset < message.Length; offset += ClientHelloParser.MaxRecordLength)
        {
            var length = Math.Min(ClientHelloParser.MaxRecordLength, message.Length - offset);
            records.AddRange([0x16, 0x03, 0x01, (byte)(length >> 8), (byte)length]);
            records.AddRange(message.AsSpan(offset, length).ToArray());
        }

        Assert.False(TlsClientFingerprinter.TryCompute(records.ToArray(), out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));

        // A record header beyond 2^14 bytes.
        Assert.False(TlsClientFingerprinter.TryCompute([0x16, 0x03, 0x01, 0x40, 0x01, 0x01, 0x00, 0x00, 0x00], out _, out error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    private enum Mutation
    {
        RandomBytes,
        RandomBehindHeader,
        BitFlips,
        Truncation,
        LengthField,
        DuplicateExtension,
        SplitRecords,
        Splice,
        TrailingGarbage,
    }

    private static byte[] Mutate(Mutation mutation, Seed seed, Seed other, Random random)
    {
        var bytes = seed.Bytes;
        switch (mutation)
        {
            case Mutation.RandomBytes:
            {
                var result = new byte[random.Next(0, 2048)];
                random.NextBytes(result);
                return result;
            }

            case Mutation.RandomBehindHeader:
            {
                // Plausible record and handshake headers with lengths that may or may not fit, then noise.
                var result = new byte[random.Next(9, 2048)];
                random.NextBytes(result);
                result[0] = 0x16;
                result[1] = 0x03;
                result[2] = (byte)random.Next(0, 5);
                var recordLength = random.Next(3) == 0 ? random.Next(0x10000) : result.Length - 5;
                BinaryPrimitives.WriteUInt16BigEndian(result.AsSpan(3), (ushort)recordLength);
                result[5] = 0x01;
                var helloLength = random.Next(3) == 0 ? random.Next(0x1000000) : Math.Max(0, result.Length - 9);
                result[6] = (byte)(helloLength >> 16);
                result[7] = (byte)(helloLength >> 8);
                result[8] = (byte)helloLength;
                return result;
            }

            case Mutation.BitFlips:
            {
                var result = (byte[])bytes.Clone();
                for (var flips = random.Next(1, 9); flips > 0; flips--)
                {
                    result[random.Next(result.Length)] ^= (byte)(1 << random.Next(8));
                }

                return result;
            }

            case Mutation.Truncation:
                return bytes[..random.Next(bytes.Length)];

            case Mutation.LengthField:
            {
                var result = (byte[])bytes.Clone();
                var (offset, size) = seed.LengthFields[random.Next(seed.LengthFields.Count)];
                var max = size == 1 ? 0xFF : size == 2 ? 0xFFFF : 0xFFFFFF;
                var current = Read(result, offset, size);
                var value = random.Next(5) switch
                {
                    0 => 0,
                    1 => max,
                    2 => current + 1,
                    3 => Math.Max(0, current - 1),
                    _ => random.Next(max + 1),
                };
                Write(result, offset, size, Math.Min(value, max));
                return result;
            }

            case Mutation.DuplicateExtension:
            {
                if (seed.Extensions.Count == 0)
                {
                    return bytes;
                }

                // A well-framed hello with one extension sent twice: every enclosing length fixed up.
                var (start, length) = seed.Extensions[random.Next(seed.Extensions.Count)];
                var result = new byte[bytes.Length + length];
                bytes.AsSpan(0, start + length).CopyTo(result);
                bytes.AsSpan(start, length).CopyTo(result.AsSpan(start + length));
                bytes.AsSpan(start + length).CopyTo(result.AsSpan(start + length + length));
                Write(result, 3, 2, Read(result, 3, 2) + length);
                Write(result, 6, 3, Read(result, 6, 3) + length);
                Write(result, seed.ExtensionsLengthOffset, 2, Read(result, seed.ExtensionsLengthOffset, 2) + length);
                return result;
            }

            case Mutation.SplitRecords:
            {
                // The same handshake message over two records, cut anywhere: legal TLS, reassembled by the parser.
                var message = bytes.AsSpan(5, Read(bytes, 3, 2));
                var cut = random.Next(1, message.Length);
                return [0x16, bytes[1], bytes[2], (byte)(cut >> 8), (byte)cut, .. message[..cut],
                    0x16, bytes[1], bytes[2], (byte)((message.Length - cut) >> 8), (byte)(message.Length - cut), .. message[cut..]];
            }

            case Mutation.Splice:
            {
                // The head of one hello, the tail of another.
                var cut = random.Next(bytes.Length);
                var from = random.Next(other.Bytes.Length);
                return [.. bytes.AsSpan(0, cut), .. other.Bytes.AsSpan(from)];
            }

            default:
            {
                var garbage = new byte[random.Next(1, 512)];
                random.NextBytes(garbage);
                return [.. bytes, .. garbage];
            }
        }
    }

    private static int Read(byte[] bytes, int offset, int size)
    {
        var value = 0;
        for (var i = 0; i < size; i++)
        {
            value = (value << 8) | bytes[offset + i];
        }

        return value;
    }

    private static void Write(byte[] bytes, int offset, int size, int value)
    {
        for (var i = size - 1; i >= 0; i--)
        {
            bytes[offset + i] = (byte)value;
            value >>= 8;
        }
    }

    private static ReadOnlySequence<byte> Segmented(byte[] input, Random random)
    {
        var first = new Segment(input.AsMemory(0, random.Next(1, input.Length - 1)));
        var cut = first.Memory.Length;
        var second = random.Next(2) == 0 ? cut + random.Next(1, input.Length - cut) : input.Length;
        var last = first.Append(input.AsMemory(cut, second - cut));
        if (second < input.Length)
        {
            last = last.Append(input.AsMemory(second));
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private static void AssertWellFormed(TlsClientFingerprint fingerprint)
    {
        Assert.Equal(36, fingerprint.Ja4.Length);
        Assert.Matches("^[0-9a-f]{32}$", fingerprint.Ja3.ToString());
        Assert.False(fingerprint.Ja3Text.IsEmpty);
        Assert.Equal($"{fingerprint.Ja4} {fingerprint.Ja3} {fingerprint.Ja3Text}", fingerprint.Text);
    }

    private static void AssertSame(TlsClientFingerprint expected, TlsClientFingerprint actual)
    {
        Assert.Equal(expected.Ja4, actual.Ja4);
        Assert.Equal(expected.Ja3, actual.Ja3);
        Assert.Equal(expected.Ja3Text, actual.Ja3Text);
        Assert.Equal(expected.OfferedH2, actual.OfferedH2);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }

    /// <summary>A reference hello with the offsets of its length fields and extensions (one record, TLS).</summary>
    private sealed class Seed
    {
        public Seed(byte[] bytes)
        {
            Bytes = bytes;
            LengthFields.Add((3, 2)); // record length
            LengthFields.Add((6, 3)); // handshake length
            var position = 9 + 2 + 32;
            LengthFields.Add((position, 1)); // session id
            position += 1 + bytes[position];
            LengthFields.Add((position, 2)); // cipher suites
            position += 2 + Read(bytes, position, 2);
            LengthFields.Add((position, 1)); // compression methods
            position += 1 + bytes[position];
            ExtensionsLengthOffset = position;
            LengthFields.Add((position, 2)); // extensions block
            var end = position + 2 + Read(bytes, position, 2);
            position += 2;
            while (position + 4 <= end)
            {
                var length = 4 + Read(bytes, position + 2, 2);
                LengthFields.Add((position + 2, 2)); // this extension's length
                if (length > 6)
                {
                    LengthFields.Add((position + 4, 2)); // the first inner list length of most extensions
                }

                Extensions.Add((position, length));
                position += length;
            }
        }

        public byte[] Bytes { get; }

        public int ExtensionsLengthOffset { get; }

        public List<(int Offset, int Size)> LengthFields { get; } = [];

        public List<(int Start, int Length)> Extensions { get; } = [];
    }
}
