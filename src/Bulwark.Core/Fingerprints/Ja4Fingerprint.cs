using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace Bulwark.Core.Fingerprints;

/// <summary>
/// JA4 TLS client fingerprints (FoxIO, BSD 3-Clause; technical_details/JA4.md), checked against FoxIO's reference
/// outputs: <c>t13d1516h2_8daaf6152771_e5627efa2ab1</c> and its raw (<c>_r</c>), original-order (<c>_o</c>) and raw
/// original-order (<c>_ro</c>) forms. GREASE values are skipped in every list.
/// </summary>
public static class Ja4Fingerprint
{
    /// <summary>The value of a hash part whose list is empty.</summary>
    public const string EmptyHash = "000000000000";

    private const int PrefixLength = 10;
    private const int HashLength = 12;
    private const int StackLimit = 256;

    /// <summary>JA4: ciphers and extensions sorted, SNI and ALPN left out of the extension list, both lists hashed.</summary>
    public static string Compute(ClientHello hello) => Build(hello, original: false, raw: false);

    /// <summary>JA4_r: as <see cref="Compute"/> with the lists written out instead of hashed.</summary>
    public static string ComputeRaw(ClientHello hello) => Build(hello, original: false, raw: true);

    /// <summary>JA4_o: ciphers and extensions in the order sent, SNI and ALPN kept, both lists hashed.</summary>
    public static string ComputeOriginal(ClientHello hello) => Build(hello, original: true, raw: false);

    /// <summary>JA4_ro: as <see cref="ComputeOriginal"/> with the lists written out instead of hashed.</summary>
    public static string ComputeRawOriginal(ClientHello hello) => Build(hello, original: true, raw: true);

    private static string Build(ClientHello hello, bool original, bool raw)
    {
        var extensions = hello.Extensions;
        var cipherSource = hello.CipherSuites.Span;
        var signatureSource = hello.SignatureAlgorithms.Span;
        var capacity = cipherSource.Length + extensions.Count + signatureSource.Length;

        ushort[]? rentedValues = null;
        var values = capacity <= StackLimit ? stackalloc ushort[StackLimit] : (rentedValues = ArrayPool<ushort>.Shared.Rent(capacity));
        var ciphers = values[..KeepNonGrease(cipherSource, values)];
        var rest = values[ciphers.Length..];

        var extensionCount = 0;
        var hashedExtensionCount = 0;
        var extensionLength = 0;
        foreach (var extension in extensions)
        {
            if (TlsGrease.IsGrease(extension.Type))
            {
                continue;
            }

            extensionCount++;
            var counted = extension.Type is not (0x0000 or 0x0010);
            if (counted)
            {
                hashedExtensionCount++;
            }

            if (counted || original)
            {
                rest[extensionLength++] = extension.Type;
            }
        }

        var extensionTypes = rest[..extensionLength];
        var signatures = rest.Slice(extensionLength, KeepNonGrease(signatureSource, rest[extensionLength..]));
        if (!original)
        {
            ciphers.Sort();
            extensionTypes.Sort();
        }

        // Room for both hex lists and their separators, which the hashed form writes one at a time.
        var textLength = (5 * capacity) + 4;
        byte[]? rentedText = null;
        var text = textLength <= 4 * StackLimit ? stackalloc byte[4 * StackLimit] : (rentedText = ArrayPool<byte>.Shared.Rent(textLength));
        try
        {
            Span<char> prefix = stackalloc char[PrefixLength];
            WritePrefix(hello, ciphers.Length, extensionCount, prefix);
            if (raw)
            {
                var length = 0;
                length += WriteHexList(ciphers, text);
                text[length++] = (byte)'_';
                length += WriteHexList(extensionTypes, text[length..]);
                if (!signatures.IsEmpty)
                {
                    text[length++] = (byte)'_';
                    length += WriteHexList(signatures, text[length..]);
                }

                return string.Concat(prefix, "_", Encoding.ASCII.GetString(text[..length]));
            }

            Span<char> result = stackalloc char[PrefixLength + 2 + (2 * HashLength)];
            prefix.CopyTo(result);
            result[PrefixLength] = '_';
            WriteHash(ciphers, default, ciphers.IsEmpty, text, result.Slice(PrefixLength + 1, HashLength));
            result[PrefixLength + 1 + HashLength] = '_';

            // The reference outputs write the all-zero hash when no extension but SNI and ALPN is present, in _o too.
            WriteHash(extensionTypes, signatures, hashedExtensionCount == 0, text, result[(PrefixLength + 2 + HashLength)..]);
            return new string(result);
        }
        finally
        {
            if (rentedText is not null)
            {
                ArrayPool<byte>.Shared.Return(rentedText);
            }

            if (rentedValues is not null)
            {
                ArrayPool<ushort>.Shared.Return(rentedValues);
            }
        }
    }

    private static void WritePrefix(ClientHello hello, int cipherCount, int extensionCount, Span<char> prefix)
    {
        prefix[0] = hello.Transport switch
        {
            TlsTransport.Quic => 'q',
            TlsTransport.Dtls => 'd',
            _ => 't',
        };
        var version = VersionLabel(NegotiableVersion(hello));
        prefix[1] = version[0];
        prefix[2] = version[1];
        prefix[3] = hello.HasServerName ? 'd' : 'i';
        WriteCount(cipherCount, prefix[4..]);
        WriteCount(extensionCount, prefix[6..]);
        WriteAlpn(hello.AlpnProtocols, prefix[8..]);
    }

    /// <summary>The highest non-GREASE supported_versions entry, else the legacy version (the record version is ignored).</summary>
    private static ushort NegotiableVersion(ClientHello hello)
    {
        var best = -1;
        var bestRank = -1;
        foreach (var version in hello.SupportedVersions.Span)
        {
            // DTLS counts down (0xfeff is 1.0, 0xfefc is 1.3), so rank it by distance from 0xffff.
            var rank = version >= 0xFE00 ? 0x10000 + (0xFFFF - version) : version;
            if (!TlsGrease.IsGrease(version) && rank > bestRank)
            {
                best = version;
                bestRank = rank;
            }
        }

        return best >= 0 ? (ushort)best : hello.LegacyVersion;
    }

    internal static string VersionLabel(ushort version) => version switch
    {
        0x0304 => "13",
        0x0303 => "12",
        0x0302 => "11",
        0x0301 => "10",
        0x0300 => "s3",
        0x0002 => "s2",
        0xFEFF => "d1",
        0xFEFD => "d2",
        0xFEFC => "d3",
        _ => "00",
    };

    internal static void WriteCount(int count, Span<char> destination)
    {
        count = Math.Min(count, 99);
        destination[0] = (char)('0' + (count / 10));
        destination[1] = (char)('0' + (count % 10));
    }

    /// <summary>
    /// First and last character of the first ALPN value; <c>00</c> when there is none or it is empty. When either byte is
    /// not an ASCII letter or digit the reference implementation writes <c>99</c>, and so do we (the newer prose of the
    /// specification prints hex digits instead; FoxIO's published outputs, which we match, do not).
    /// </summary>
    private static void WriteAlpn(IReadOnlyList<ReadOnlyMemory<byte>> protocols, Span<char> destination)
    {
        var first = protocols.Count == 0 ? default : protocols[0].Span;
        if (first.IsEmpty)
        {
            destination[0] = destination[1] = '0';
        }
        else if (char.IsAsciiLetterOrDigit((char)first[0]) && char.IsAsciiLetterOrDigit((char)first[^1]))
        {
            destination[0] = (char)first[0];
            destination[1] = (char)first[^1];
        }
        else
        {
            destination[0] = destination[1] = '9';
        }
    }

    private static void WriteHash(ReadOnlySpan<ushort> list, ReadOnlySpan<ushort> suffix, bool empty, Span<byte> scratch, Span<char> destination)
    {
        if (empty)
        {
            EmptyHash.AsSpan().CopyTo(destination);
            return;
        }

        var length = WriteHexList(list, scratch);
        if (!suffix.IsEmpty)
        {
            scratch[length++] = (byte)'_';
            length += WriteHexList(suffix, scratch[length..]);
        }

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        Ja4Sha256.Current.Hash(scratch[..length], hash);
        Convert.TryToHexStringLower(hash[..(HashLength / 2)], destination, out _);
    }

    private static int KeepNonGrease(ReadOnlySpan<ushort> source, Span<ushort> destination)
    {
        var count = 0;
        foreach (var value in source)
        {
            if (!TlsGrease.IsGrease(value))
            {
                destination[count++] = value;
            }
        }

        return count;
    }

    /// <summary>Writes <c>002f,0035,…</c>: four lower-case hex digits per value, comma-separated.</summary>
    internal static int WriteHexList(ReadOnlySpan<ushort> values, Span<byte> destination)
    {
        var length = 0;
        for (var i = 0; i < values.Length; i++)
        {
            if (i > 0)
            {
                destination[length++] = (byte)',';
            }

            var value = values[i];
            destination[length++] = HexDigit(value >> 12);
            destination[length++] = HexDigit(value >> 8);
            destination[length++] = HexDigit(value >> 4);
            destination[length++] = HexDigit(value);
        }

        return length;
    }

    private static byte HexDigit(int value) => (byte)"0123456789abcdef"[value & 0xF];
}
