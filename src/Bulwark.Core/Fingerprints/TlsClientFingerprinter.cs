using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace Bulwark.Core.Fingerprints;

/// <summary>
/// JA3 and JA4 of a ClientHello straight from the bytes a TLS server sees first, for the per-connection hook. The common
/// case — one TLS record holding the whole hello — is read in place with stack buffers: the only allocation is the
/// result's one string (<see cref="TlsClientFingerprint.Text"/>). Anything else (a hello spread over several records, DTLS, a bare
/// handshake message, malformed input) goes through <see cref="ClientHelloParser"/>, which reassembles or explains.
/// Both paths give the same fingerprints; the tests hold them to it.
/// </summary>
public static class TlsClientFingerprinter
{
    // Bounds that keep the stack buffers small; a hello beyond them (none real is) takes the parser's path.
    private const int MaxCiphers = 256;
    private const int MaxExtensions = 100;
    private const int MaxListBytes = 512;

    // t13d1516h2_8daaf6152771_e5627efa2ab1: prefix (10), '_', 12 hex, '_', 12 hex.
    private const int Ja4Length = 36;

    // JA4's SHA-256 calls libcrypto's EVP_Digest directly (Ja4Sha256) and JA3's MD5 is managed (Ja3Md5): through .NET,
    // OpenSSL 3's per-call cost is most of a hash of a few blocks.

    /// <summary>Computes the fingerprints of the ClientHello in <paramref name="data"/> (one or more TLS records).</summary>
    public static bool TryCompute(ReadOnlySpan<byte> data, out TlsClientFingerprint fingerprint, [NotNullWhen(false)] out string? error)
    {
        if (TryComputeInPlace(data, out fingerprint))
        {
            error = null;
            return true;
        }

        if (!ClientHelloParser.TryParse(data, out var hello, out error))
        {
            fingerprint = default;
            return false;
        }

        fingerprint = FromHello(hello);
        return true;
    }

    /// <summary>As <see cref="TryCompute(ReadOnlySpan{byte}, out TlsClientFingerprint, out string?)"/> for the sequence Kestrel's <c>TlsClientHelloBytesCallback</c> hands over.</summary>
    public static bool TryCompute(in ReadOnlySequence<byte> data, out TlsClientFingerprint fingerprint, [NotNullWhen(false)] out string? error)
    {
        if (data.IsSingleSegment)
        {
            return TryCompute(data.FirstSpan, out fingerprint, out error);
        }

        var length = (int)Math.Min(data.Length, 13 + ClientHelloParser.MaxRecordLength + (5 + ClientHelloParser.MaxRecordLength));
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            data.Slice(0, length).CopyTo(buffer);
            return TryCompute(buffer.AsSpan(0, length), out fingerprint, out error);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The fingerprints of an already parsed hello (the allocating path; <c>bulwark fingerprint</c> uses it).</summary>
    public static TlsClientFingerprint FromHello(ClientHello hello)
    {
        ArgumentNullException.ThrowIfNull(hello);
        var h2 = false;
        foreach (var protocol in hello.AlpnProtocols)
        {
            h2 |= protocol.Span.SequenceEqual("h2"u8);
        }

        var grease = false;
        foreach (var suite in hello.CipherSuites.Span)
        {
            grease |= TlsGrease.IsGrease(suite);
        }

        foreach (var extension in hello.Extensions)
        {
            grease |= TlsGrease.IsGrease(extension.Type);
        }

        var ja4 = Ja4Fingerprint.Compute(hello);
        var text = string.Concat(ja4, " ", Ja3Fingerprint.Compute(hello), " ", Ja3Fingerprint.ComputeText(hello));
        return new TlsClientFingerprint(text, ja4.Length, h2, Math.Max(1, hello.RecordCount), grease);
    }

    /// <summary>The in-place path: false (without a message) whenever the input is not one complete, well-formed TLS record.</summary>
    internal static bool TryComputeInPlace(ReadOnlySpan<byte> data, out TlsClientFingerprint fingerprint)
    {
        fingerprint = default;
        if (data.Length < 9 || data[0] != 0x16 || data[1] != 0x03)
        {
            return false;
        }

        var recordLength = BinaryPrimitives.ReadUInt16BigEndian(data[3..]);
        if (recordLength > ClientHelloParser.MaxRecordLength || data.Length - 5 < recordLength)
        {
            return false;
        }

        var record = data.Slice(5, recordLength);
        if (record.Length < 4 || record[0] != 0x01)
        {
            return false;
        }

        var helloLength = (record[1] << 16) | (record[2] << 8) | record[3];
        if (record.Length - 4 < helloLength)
        {
            return false; // continues in the next record: the parser reassembles it
        }

        var body = record.Slice(4, helloLength);
        if (body.Length < 35)
        {
            return false;
        }

        var legacyVersion = BinaryPrimitives.ReadUInt16BigEndian(body);
        var position = 34;
        int sessionIdLength = body[position];
        position += 1 + sessionIdLength;
        if (sessionIdLength > 32 || position + 2 > body.Length)
        {
            return false;
        }

        int cipherLength = BinaryPrimitives.ReadUInt16BigEndian(body[position..]);
        position += 2;
        if (cipherLength % 2 != 0 || position + cipherLength > body.Length)
        {
            return false;
        }

        var cipherBytes = body.Slice(position, cipherLength);
        position += cipherLength;
        if (position + 1 > body.Length)
        {
            return false;
        }

        position += 1 + body[position];
        if (position > body.Length)
        {
            return false;
        }

        ReadOnlySpan<byte> extensions = default;
        if (position < body.Length)
        {
            if (position + 2 > body.Length)
            {
                return false;
            }

            int extensionsLength = BinaryPrimitives.ReadUInt16BigEndian(body[position..]);
            position += 2;
            if (position + extensionsLength != body.Length)
            {
                return false;
            }

            extensions = body.Slice(position, extensionsLength);
        }

        if (cipherBytes.Length / 2 > MaxCiphers)
        {
            return false;
        }

        Span<ushort> ciphers = stackalloc ushort[cipherBytes.Length / 2];
        var cipherCount = ReadNonGrease(cipherBytes, ciphers);
        var grease = cipherCount < ciphers.Length;
        ciphers = ciphers[..cipherCount];

        // Extension types in order (GREASE dropped) and the bodies JA3 and JA4 read (first occurrence wins).
        Span<ushort> types = stackalloc ushort[MaxExtensions];
        var typeCount = 0;
        var hasServerName = false;
        var hasAlpn = false;
        var offeredH2 = false;
        ReadOnlySpan<byte> firstAlpn = default;
        ReadOnlySpan<byte> versions = default, signatures = default, groups = default, points = default;
        bool seenVersions = false, seenSignatures = false, seenGroups = false, seenPoints = false;
        var cursor = 0;
        while (cursor < extensions.Length)
        {
            if (cursor + 4 > extensions.Length)
            {
                return false;
            }

            var type = BinaryPrimitives.ReadUInt16BigEndian(extensions[cursor..]);
            int length = BinaryPrimitives.ReadUInt16BigEndian(extensions[(cursor + 2)..]);
            cursor += 4;
            if (cursor + length > extensions.Length)
            {
                return false;
            }

            var ext = extensions.Slice(cursor, length);
            cursor += length;
            if (TlsGrease.IsGrease(type))
            {
                grease = true;
            }
            else
            {
                if (typeCount == MaxExtensions)
                {
                    return false;
                }

                types[typeCount++] = type;
            }

            switch (type)
            {
                case 0x0000 when !hasServerName:
                    hasServerName = true;
                    if (!ext.IsEmpty && !IsValidServerNameList(ext))
                    {
                        return false;
                    }

                    break;
                case 0x0010 when !hasAlpn:
                    hasAlpn = true;
                    if (!TryReadAlpn(ext, out firstAlpn, out offeredH2))
                    {
                        return false;
                    }

                    break;
                case 0x002B when !seenVersions:
                    seenVersions = true;
                    if (!TryReadList(ext, lengthBytes: 1, out versions))
                    {
                        return false;
                    }

                    break;
                case 0x000D when !seenSignatures:
                    seenSignatures = true;
                    if (!TryReadList(ext, lengthBytes: 2, out signatures))
                    {
                        return false;
                    }

                    break;
                case 0x000A when !seenGroups:
                    seenGroups = true;
                    if (!TryReadList(ext, lengthBytes: 2, out groups))
                    {
                        return false;
                    }

                    break;
                case 0x000B when !seenPoints:
                    seenPoints = true;
                    if (ext.IsEmpty || ext[0] != ext.Length - 1)
                    {
                        return false;
                    }

                    points = ext[1..];
                    break;
            }
        }

        if (groups.Length > MaxListBytes || signatures.Length > MaxListBytes || points.Length > MaxListBytes || versions.Length > MaxListBytes)
        {
            return false;
        }

        var extensionTypes = types[..typeCount];
        Span<byte> ja3 = stackalloc byte[16 + (6 * (ciphers.Length + extensionTypes.Length + (groups.Length / 2) + points.Length))];
        var ja3Length = WriteJa3(legacyVersion, ciphers, extensionTypes, groups, points, ja3);

        // The one allocation: "JA4 JA3 JA3-text", assembled on the stack.
        Span<char> text = stackalloc char[Ja4Length + 1 + 32 + 1 + ja3Length];
        WriteJa4(legacyVersion, versions, hasServerName, ciphers, extensionTypes, signatures, firstAlpn, text[..Ja4Length]);
        text[Ja4Length] = ' ';
        WriteJa3Hash(ja3[..ja3Length], text.Slice(Ja4Length + 1, 32));
        text[Ja4Length + 33] = ' ';
        System.Text.Ascii.ToUtf16(ja3[..ja3Length], text[(Ja4Length + 34)..], out _);
        fingerprint = new TlsClientFingerprint(new string(text), Ja4Length, offeredH2, recordCount: 1, grease);
        return true;
    }

    private static int WriteJa3(ushort legacyVersion, ReadOnlySpan<ushort> ciphers, ReadOnlySpan<ushort> extensionTypes, ReadOnlySpan<byte> groups, ReadOnlySpan<byte> points, Span<byte> text)
    {
        var length = WriteDecimal(legacyVersion, text);
        text[length++] = (byte)',';
        length += WriteDecimalList(ciphers, text[length..]);
        text[length++] = (byte)',';
        length += WriteDecimalList(extensionTypes, text[length..]);
        text[length++] = (byte)',';
        var first = true;
        for (var i = 0; i + 1 < groups.Length; i += 2)
        {
            var group = BinaryPrimitives.ReadUInt16BigEndian(groups[i..]);
            if (!TlsGrease.IsGrease(group))
            {
                length += WriteSeparated(group, ref first, text[length..]);
            }
        }

        text[length++] = (byte)',';
        first = true;
        foreach (var point in points)
        {
            length += WriteSeparated(point, ref first, text[length..]);
        }

        return length;
    }

    private static void WriteJa3Hash(ReadOnlySpan<byte> ja3, Span<char> destination)
    {
        Span<byte> digest = stackalloc byte[Ja3Md5.HashSizeInBytes];
        Ja3Md5.Hash(ja3, digest);
        Convert.TryToHexStringLower(digest, destination, out _);
    }

    private static void WriteJa4(ushort legacyVersion, ReadOnlySpan<byte> versions, bool hasServerName, Span<ushort> ciphers, ReadOnlySpan<ushort> extensionTypes, ReadOnlySpan<byte> signatureBytes, ReadOnlySpan<byte> firstAlpn, Span<char> result)
    {
        result[0] = 't';
        // Ja4Fingerprint's rule exactly (a hostile hello may offer DTLS values over TLS): DTLS counts down and ranks above TLS.
        var best = -1;
        var bestRank = -1;
        for (var i = 0; i + 1 < versions.Length; i += 2)
        {
            var version = BinaryPrimitives.ReadUInt16BigEndian(versions[i..]);
            var rank = version >= 0xFE00 ? 0x10000 + (0xFFFF - version) : version;
            if (!TlsGrease.IsGrease(version) && rank > bestRank)
            {
                best = version;
                bestRank = rank;
            }
        }

        var label = Ja4Fingerprint.VersionLabel(best >= 0 ? (ushort)best : legacyVersion);
        result[1] = label[0];
        result[2] = label[1];
        result[3] = hasServerName ? 'd' : 'i';
        Ja4Fingerprint.WriteCount(ciphers.Length, result[4..]);
        Ja4Fingerprint.WriteCount(extensionTypes.Length, result[6..]);
        if (firstAlpn.IsEmpty)
        {
            result[8] = result[9] = '0';
        }
        else if (char.IsAsciiLetterOrDigit((char)firstAlpn[0]) && char.IsAsciiLetterOrDigit((char)firstAlpn[^1]))
        {
            result[8] = (char)firstAlpn[0];
            result[9] = (char)firstAlpn[^1];
        }
        else
        {
            result[8] = result[9] = '9';
        }

        result[10] = '_';
        result[23] = '_';

        Span<byte> text = stackalloc byte[5 * (ciphers.Length + extensionTypes.Length + (signatureBytes.Length / 2) + 2)];
        if (ciphers.IsEmpty)
        {
            Ja4Fingerprint.EmptyHash.AsSpan().CopyTo(result[11..]);
        }
        else
        {
            ciphers.Sort();
            Hash(text[..Ja4Fingerprint.WriteHexList(ciphers, text)], result.Slice(11, 12));
        }

        Span<ushort> hashed = stackalloc ushort[extensionTypes.Length];
        var count = 0;
        foreach (var type in extensionTypes)
        {
            if (type is not (0x0000 or 0x0010))
            {
                hashed[count++] = type;
            }
        }

        if (count == 0)
        {
            Ja4Fingerprint.EmptyHash.AsSpan().CopyTo(result[24..]);
        }
        else
        {
            hashed = hashed[..count];
            hashed.Sort();
            var length = Ja4Fingerprint.WriteHexList(hashed, text);
            Span<ushort> signatures = stackalloc ushort[signatureBytes.Length / 2];
            var signatureCount = ReadNonGrease(signatureBytes, signatures);
            if (signatureCount > 0)
            {
                text[length++] = (byte)'_';
                length += Ja4Fingerprint.WriteHexList(signatures[..signatureCount], text[length..]);
            }

            Hash(text[..length], result[24..]);
        }
    }

    private static bool IsValidServerNameList(ReadOnlySpan<byte> ext)
    {
        if (ext.Length < 2 || BinaryPrimitives.ReadUInt16BigEndian(ext) != ext.Length - 2)
        {
            return false;
        }

        var list = ext[2..];
        var i = 0;
        while (i < list.Length)
        {
            if (i + 3 > list.Length)
            {
                return false;
            }

            i += 3 + BinaryPrimitives.ReadUInt16BigEndian(list[(i + 1)..]);
            if (i > list.Length)
            {
                return false;
            }
        }

        return true;
    }

    private static bool TryReadAlpn(ReadOnlySpan<byte> ext, out ReadOnlySpan<byte> first, out bool offeredH2)
    {
        first = default;
        offeredH2 = false;
        if (ext.Length < 2 || BinaryPrimitives.ReadUInt16BigEndian(ext) != ext.Length - 2)
        {
            return false;
        }

        var list = ext[2..];
        var i = 0;
        var index = 0;
        while (i < list.Length)
        {
            int length = list[i];
            if (i + 1 + length > list.Length)
            {
                return false;
            }

            var name = list.Slice(i + 1, length);
            if (index++ == 0)
            {
                first = name;
            }

            offeredH2 |= name.SequenceEqual("h2"u8);
            i += 1 + length;
        }

        return true;
    }

    private static bool TryReadList(ReadOnlySpan<byte> ext, int lengthBytes, out ReadOnlySpan<byte> list)
    {
        list = default;
        if (ext.Length < lengthBytes)
        {
            return false;
        }

        var length = lengthBytes == 1 ? ext[0] : BinaryPrimitives.ReadUInt16BigEndian(ext);
        if (length != ext.Length - lengthBytes || length % 2 != 0)
        {
            return false;
        }

        list = ext[lengthBytes..];
        return true;
    }

    private static int ReadNonGrease(ReadOnlySpan<byte> bytes, Span<ushort> destination)
    {
        var count = 0;
        for (var i = 0; i + 1 < bytes.Length; i += 2)
        {
            var value = BinaryPrimitives.ReadUInt16BigEndian(bytes[i..]);
            if (!TlsGrease.IsGrease(value))
            {
                destination[count++] = value;
            }
        }

        return count;
    }

    private static void Hash(ReadOnlySpan<byte> text, Span<char> destination)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        Ja4Sha256.Current.Hash(text, hash);
        Convert.TryToHexStringLower(hash[..6], destination, out _);
    }

    private static int WriteDecimalList(ReadOnlySpan<ushort> values, Span<byte> destination)
    {
        var length = 0;
        var first = true;
        foreach (var value in values)
        {
            length += WriteSeparated(value, ref first, destination[length..]);
        }

        return length;
    }

    private static int WriteSeparated(int value, ref bool first, Span<byte> destination)
    {
        var length = 0;
        if (!first)
        {
            destination[length++] = (byte)'-';
        }

        first = false;
        return length + WriteDecimal(value, destination[length..]);
    }

    // A TLS value is 0-65535: at most five digits, written without the general formatter's overhead.
    private static int WriteDecimal(int value, Span<byte> destination)
    {
        var digits = value < 10 ? 1 : value < 100 ? 2 : value < 1000 ? 3 : value < 10000 ? 4 : 5;
        for (var i = digits - 1; i > 0; i--)
        {
            var quotient = value / 10;
            destination[i] = (byte)('0' + (value - (quotient * 10)));
            value = quotient;
        }

        destination[0] = (byte)('0' + value);
        return digits;
    }
}
