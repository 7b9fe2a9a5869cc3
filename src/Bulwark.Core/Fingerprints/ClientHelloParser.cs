using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Bulwark.Core.Fingerprints;

/// <summary>
/// Parses a ClientHello from the bytes a server sees first: a TLS or DTLS handshake record (what Kestrel's
/// <c>TlsClientHelloBytesCallback</c> hands over), several records holding one hello, or a bare handshake message.
/// Every length is checked against the bytes present; malformed input is a failure value with a message, never an exception.
/// </summary>
public static class ClientHelloParser
{
    /// <summary>The largest ClientHello handshake message accepted (64 KiB; real ones are under 2 KiB, or about 4 KiB with post-quantum key shares).</summary>
    public const int MaxHandshakeLength = 64 * 1024;

    /// <summary>The largest record payload TLS allows (RFC 8446 §5.1: 2^14 bytes).</summary>
    public const int MaxRecordLength = 16 * 1024;

    private const byte ContentTypeHandshake = 0x16;
    private const byte HandshakeTypeClientHello = 0x01;
    private const int TlsRecordHeaderLength = 5;
    private const int DtlsRecordHeaderLength = 13;
    private const int TlsHandshakeHeaderLength = 4;
    private const int DtlsHandshakeHeaderLength = 12;

    /// <summary>
    /// Parses <paramref name="data"/>: handshake records (<c>16 03 0x LL LL …</c>, or DTLS <c>16 fe xx …</c>), reassembling
    /// a hello split over consecutive records when they are all present, or a bare TLS handshake message (<c>01 LL LL LL …</c>).
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> data, [NotNullWhen(true)] out ClientHello? hello, [NotNullWhen(false)] out string? error)
    {
        hello = null;
        if (data.IsEmpty)
        {
            error = "no bytes: expected a TLS handshake record starting 16 03";
            return false;
        }

        return data[0] switch
        {
            ContentTypeHandshake => TryParseRecords(data, out hello, out error),
            HandshakeTypeClientHello => TryParseHandshake(data, TlsTransport.Tls, out hello, out error),
            _ => Fail(DescribeFirstByte(data), out error),
        };
    }

    /// <summary>
    /// As <see cref="TryParse(ReadOnlySpan{byte}, out ClientHello?, out string?)"/> for the sequence Kestrel's
    /// <c>TlsClientHelloBytesCallback</c> hands over; a multi-segment sequence is copied into a pooled buffer first
    /// (at most one full record plus its header, the most that callback gives).
    /// </summary>
    public static bool TryParse(in ReadOnlySequence<byte> data, [NotNullWhen(true)] out ClientHello? hello, [NotNullWhen(false)] out string? error)
    {
        if (data.IsSingleSegment)
        {
            return TryParse(data.FirstSpan, out hello, out error);
        }

        var length = (int)Math.Min(data.Length, DtlsRecordHeaderLength + MaxRecordLength);
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            data.Slice(0, length).CopyTo(buffer);
            return TryParse(buffer.AsSpan(0, length), out hello, out error);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Parses a bare handshake message: a TLS one (4-byte header) for <see cref="TlsTransport.Tls"/> and
    /// <see cref="TlsTransport.Quic"/> (the reassembled CRYPTO frames of a QUIC Initial), a DTLS one (12-byte header) for
    /// <see cref="TlsTransport.Dtls"/>.
    /// </summary>
    public static bool TryParseHandshake(ReadOnlySpan<byte> message, TlsTransport transport, [NotNullWhen(true)] out ClientHello? hello, [NotNullWhen(false)] out string? error)
    {
        hello = null;
        if (!TryReadHandshakeHeader(message, transport == TlsTransport.Dtls, out var length, out var headerLength, out error))
        {
            return false;
        }

        if (message.Length - headerLength < length)
        {
            return Fail($"truncated ClientHello: the handshake header says {length} bytes, {message.Length - headerLength} are present", out error);
        }

        return TryParseBody(message.Slice(headerLength, length).ToArray(), transport, recordVersion: null, recordCount: 0, out hello, out error);
    }

    private static bool TryParseRecords(ReadOnlySpan<byte> data, [NotNullWhen(true)] out ClientHello? hello, [NotNullWhen(false)] out string? error)
    {
        hello = null;
        if (!TryReadRecord(data, out var first, out var recordVersion, out var dtls, out var consumed, out error))
        {
            return false;
        }

        var transport = dtls ? TlsTransport.Dtls : TlsTransport.Tls;
        if (!TryReadHandshakeHeader(first, dtls, out var length, out var headerLength, out error))
        {
            return false;
        }

        if (first.Length - headerLength >= length)
        {
            return TryParseBody(first.Slice(headerLength, length).ToArray(), transport, recordVersion, recordCount: 1, out hello, out error);
        }

        if (dtls)
        {
            // DTLS fragments carry offsets and may arrive out of order; reassembling them is the transport's job.
            return Fail($"incomplete ClientHello: the DTLS handshake message is {length} bytes but this record holds {first.Length - headerLength}; DTLS fragment reassembly is not supported", out error);
        }

        // A hello larger than one record (2^14 bytes) or split by the client: join the payloads of the records that follow.
        var body = new byte[length];
        var filled = first.Length - headerLength;
        first[headerLength..].CopyTo(body);
        var records = 1;
        var rest = data[consumed..];
        while (filled < length)
        {
            if (rest.IsEmpty)
            {
                return Fail($"incomplete ClientHello: the handshake message is {length} bytes but the record{(records == 1 ? "" : "s")} given hold{(records == 1 ? "s" : "")} {filled}; it continues in a following record (pass the following TLS records too)", out error);
            }

            if (!TryReadRecord(rest, out var payload, out _, out var nextDtls, out var used, out error))
            {
                error = $"record {records + 1}: {error}";
                return false;
            }

            if (nextDtls)
            {
                return Fail($"record {records + 1} is DTLS, record 1 is TLS", out error);
            }

            var take = Math.Min(payload.Length, length - filled);
            payload[..take].CopyTo(body.AsSpan(filled));
            filled += take;
            records++;
            rest = rest[used..];
        }

        return TryParseBody(body, transport, recordVersion, records, out hello, out error);
    }

    private static bool TryReadRecord(ReadOnlySpan<byte> data, out ReadOnlySpan<byte> payload, out ushort version, out bool dtls, out int consumed, [NotNullWhen(false)] out string? error)
    {
        payload = default;
        version = 0;
        dtls = false;
        consumed = 0;
        if (data[0] != ContentTypeHandshake)
        {
            return Fail(DescribeFirstByte(data), out error);
        }

        if (data.Length < 3)
        {
            return Fail($"truncated record header: {data.Length} of {TlsRecordHeaderLength} bytes", out error);
        }

        version = BinaryPrimitives.ReadUInt16BigEndian(data[1..]);
        dtls = data[1] == 0xFE;
        if (data[1] != 0x03 && !dtls)
        {
            return Fail($"record version 0x{version:x4} is neither TLS (0x03xx) nor DTLS (0xfexx)", out error);
        }

        var headerLength = dtls ? DtlsRecordHeaderLength : TlsRecordHeaderLength;
        if (data.Length < headerLength)
        {
            return Fail($"truncated record header: {data.Length} of {headerLength} bytes", out error);
        }

        int length = BinaryPrimitives.ReadUInt16BigEndian(data[(headerLength - 2)..]);
        if (length > MaxRecordLength)
        {
            return Fail($"record length {length} exceeds the {MaxRecordLength} bytes TLS allows", out error);
        }

        if (data.Length - headerLength < length)
        {
            return Fail($"truncated record: the header says {length} bytes, {data.Length - headerLength} are present", out error);
        }

        payload = data.Slice(headerLength, length);
        consumed = headerLength + length;
        error = null;
        return true;
    }

    private static bool TryReadHandshakeHeader(ReadOnlySpan<byte> message, bool dtls, out int length, out int headerLength, [NotNullWhen(false)] out string? error)
    {
        length = 0;
        headerLength = dtls ? DtlsHandshakeHeaderLength : TlsHandshakeHeaderLength;
        if (message.IsEmpty)
        {
            return Fail("empty handshake record", out error);
        }

        if (message[0] != HandshakeTypeClientHello)
        {
            return Fail($"handshake type {message[0]} is not ClientHello (1)", out error);
        }

        if (message.Length < headerLength)
        {
            return Fail($"truncated handshake header: {message.Length} of {headerLength} bytes", out error);
        }

        length = (message[1] << 16) | (message[2] << 8) | message[3];
        if (length > MaxHandshakeLength)
        {
            return Fail($"ClientHello length {length} exceeds the {MaxHandshakeLength}-byte bound", out error);
        }

        if (dtls)
        {
            var fragmentOffset = (message[6] << 16) | (message[7] << 8) | message[8];
            var fragmentLength = (message[9] << 16) | (message[10] << 8) | message[11];
            if (fragmentOffset != 0 || fragmentLength != length)
            {
                return Fail($"incomplete ClientHello: DTLS fragment at offset {fragmentOffset} of {fragmentLength} bytes of a {length}-byte message; DTLS fragment reassembly is not supported", out error);
            }
        }

        error = null;
        return true;
    }

    private static bool TryParseBody(byte[] body, TlsTransport transport, ushort? recordVersion, int recordCount, [NotNullWhen(true)] out ClientHello? hello, [NotNullWhen(false)] out string? error)
    {
        hello = null;
        var reader = new Reader(body);
        if (!reader.TryReadUInt16(out var legacyVersion))
        {
            return Fail("truncated ClientHello: no room for the 2-byte version", out error);
        }

        if (!reader.TrySkip(32))
        {
            return Fail("truncated ClientHello: no room for the 32-byte random", out error);
        }

        if (!reader.TryReadVector8(out var sessionId))
        {
            return Fail(reader.Overrun("session_id"), out error);
        }

        if (sessionId.Length > 32)
        {
            return Fail($"session_id length {sessionId.Length} exceeds 32", out error);
        }

        if (transport == TlsTransport.Dtls && !reader.TryReadVector8(out _))
        {
            return Fail(reader.Overrun("cookie"), out error);
        }

        if (!reader.TryReadVector16(out var cipherBytes))
        {
            return Fail(reader.Overrun("cipher_suites"), out error);
        }

        if (cipherBytes.Length % 2 != 0)
        {
            return Fail($"cipher_suites length {cipherBytes.Length} is odd (each suite is 2 bytes)", out error);
        }

        var compressionStart = reader.Position + 1;
        if (!reader.TryReadVector8(out var compression))
        {
            return Fail(reader.Overrun("compression_methods"), out error);
        }

        var extensions = new List<TlsExtension>();
        var parsed = new ExtensionFields();
        if (reader.Remaining > 0)
        {
            if (!reader.TryReadVector16(out var block))
            {
                return Fail(reader.Remaining < 2
                    ? $"{reader.Remaining} byte after the compression methods where the 2-byte extensions length belongs"
                    : reader.Overrun("extensions"), out error);
            }

            var blockStart = reader.Position - block.Length;
            if (reader.Remaining > 0)
            {
                return Fail($"{reader.Remaining} bytes after the extensions block", out error);
            }

            var inner = new Reader(block);
            while (inner.Remaining > 0)
            {
                if (!inner.TryReadUInt16(out var type) || !inner.TryReadVector16(out var data))
                {
                    return Fail($"extension {extensions.Count + 1}: " + inner.Overrun("extension header or body"), out error);
                }

                var offset = blockStart + inner.Position - data.Length;
                extensions.Add(new TlsExtension(type, new ReadOnlyMemory<byte>(body, offset, data.Length)));
                if (!parsed.TryAdd(type, data, body, offset, out error))
                {
                    return false;
                }
            }
        }

        hello = new ClientHello
        {
            Transport = transport,
            RecordVersion = recordVersion,
            LegacyVersion = legacyVersion,
            CipherSuites = ToUInt16s(cipherBytes),
            CompressionMethods = new ReadOnlyMemory<byte>(body, compressionStart, compression.Length),
            Extensions = extensions.ToArray(),
            HasServerName = parsed.HasServerName,
            ServerName = parsed.ServerName,
            AlpnProtocols = parsed.Alpn ?? [],
            SupportedVersions = parsed.SupportedVersions,
            SignatureAlgorithms = parsed.SignatureAlgorithms,
            SupportedGroups = parsed.SupportedGroups,
            EcPointFormats = parsed.EcPointFormats,
            RecordCount = recordCount,
        };
        error = null;
        return true;
    }

    private static ushort[] ToUInt16s(ReadOnlySpan<byte> bytes)
    {
        var values = new ushort[bytes.Length / 2];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadUInt16BigEndian(bytes[(2 * i)..]);
        }

        return values;
    }

    private static string DescribeFirstByte(ReadOnlySpan<byte> data)
    {
        var first = data[0];
        var name = first switch
        {
            0x14 => "change_cipher_spec",
            0x15 => "alert",
            0x17 => "application_data",
            _ => null,
        };
        if (name is not null)
        {
            return $"record content type {first} ({name}) is not handshake (22)";
        }

        if ((first & 0x80) != 0 && data.Length > 2 && data[2] == 0x01)
        {
            return "SSL 2.0-format ClientHello is not supported";
        }

        return $"not a TLS handshake: first byte 0x{first:x2}, expected 0x16 (handshake record) or 0x01 (ClientHello message)";
    }

    private static bool Fail(string message, [NotNullWhen(false)] out string? error)
    {
        error = message;
        return false;
    }

    /// <summary>The extensions both fingerprints look inside; first occurrence wins.</summary>
    private sealed class ExtensionFields
    {
        public bool HasServerName;
        public string? ServerName;
        public List<ReadOnlyMemory<byte>>? Alpn;
        public ReadOnlyMemory<ushort> SupportedVersions;
        public ReadOnlyMemory<ushort> SignatureAlgorithms;
        public ReadOnlyMemory<ushort> SupportedGroups;
        public ReadOnlyMemory<byte> EcPointFormats;
        private bool _versions;
        private bool _signatures;
        private bool _groups;
        private bool _points;

        public bool TryAdd(ushort type, ReadOnlySpan<byte> data, byte[] body, int offset, [NotNullWhen(false)] out string? error)
        {
            error = null;
            switch (type)
            {
                case 0x0000 when !HasServerName:
                    HasServerName = true;
                    return TryReadServerName(data, out error);
                case 0x0010 when Alpn is null:
                    return TryReadAlpn(data, body, offset, out error);
                case 0x002B when !_versions:
                    _versions = true;
                    return TryReadList(data, lengthBytes: 1, "supported_versions (0x002b)", out SupportedVersions, out error);
                case 0x000D when !_signatures:
                    _signatures = true;
                    return TryReadList(data, lengthBytes: 2, "signature_algorithms (0x000d)", out SignatureAlgorithms, out error);
                case 0x000A when !_groups:
                    _groups = true;
                    return TryReadList(data, lengthBytes: 2, "supported_groups (0x000a)", out SupportedGroups, out error);
                case 0x000B when !_points:
                    _points = true;
                    var reader = new Reader(data);
                    if (!reader.TryReadVector8(out var formats) || reader.Remaining != 0)
                    {
                        return Fail($"extension ec_point_formats (0x000b): list length does not match its {data.Length}-byte body", out error);
                    }

                    EcPointFormats = new ReadOnlyMemory<byte>(body, offset + 1, formats.Length);
                    return true;
                default:
                    return true;
            }
        }

        private bool TryReadServerName(ReadOnlySpan<byte> data, [NotNullWhen(false)] out string? error)
        {
            error = null;
            if (data.IsEmpty)
            {
                return true;
            }

            var reader = new Reader(data);
            if (!reader.TryReadVector16(out var list) || reader.Remaining != 0)
            {
                return Fail($"extension server_name (0x0000): list length does not match its {data.Length}-byte body", out error);
            }

            var names = new Reader(list);
            while (names.Remaining > 0)
            {
                if (!names.TryReadUInt8(out var nameType) || !names.TryReadVector16(out var name))
                {
                    return Fail("extension server_name (0x0000): " + names.Overrun("server name"), out error);
                }

                if (nameType == 0 && ServerName is null)
                {
                    ServerName = Encoding.UTF8.GetString(name);
                }
            }

            return true;
        }

        private bool TryReadAlpn(ReadOnlySpan<byte> data, byte[] body, int offset, [NotNullWhen(false)] out string? error)
        {
            error = null;
            Alpn = [];
            var reader = new Reader(data);
            if (!reader.TryReadVector16(out var list) || reader.Remaining != 0)
            {
                return Fail($"extension application_layer_protocol_negotiation (0x0010): list length does not match its {data.Length}-byte body", out error);
            }

            var names = new Reader(list);
            while (names.Remaining > 0)
            {
                if (!names.TryReadVector8(out var name))
                {
                    return Fail("extension application_layer_protocol_negotiation (0x0010): " + names.Overrun("protocol name"), out error);
                }

                Alpn.Add(new ReadOnlyMemory<byte>(body, offset + 2 + names.Position - name.Length, name.Length));
            }

            return true;
        }

        private static bool TryReadList(ReadOnlySpan<byte> data, int lengthBytes, string what, out ReadOnlyMemory<ushort> values, [NotNullWhen(false)] out string? error)
        {
            values = default;
            var reader = new Reader(data);
            ReadOnlySpan<byte> list;
            var ok = lengthBytes == 1 ? reader.TryReadVector8(out list) : reader.TryReadVector16(out list);
            if (!ok || reader.Remaining != 0)
            {
                return Fail($"extension {what}: list length does not match its {data.Length}-byte body", out error);
            }

            if (list.Length % 2 != 0)
            {
                return Fail($"extension {what}: list length {list.Length} is odd (each entry is 2 bytes)", out error);
            }

            values = ToUInt16s(list);
            error = null;
            return true;
        }
    }

    /// <summary>A bounds-checked big-endian cursor over a span.</summary>
    private ref struct Reader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;

        public int Position { get; private set; }

        public readonly int Remaining => _data.Length - Position;

        public bool TryReadUInt8(out byte value)
        {
            value = 0;
            if (Remaining < 1)
            {
                return false;
            }

            value = _data[Position++];
            return true;
        }

        public bool TryReadUInt16(out ushort value)
        {
            value = 0;
            if (Remaining < 2)
            {
                return false;
            }

            value = BinaryPrimitives.ReadUInt16BigEndian(_data[Position..]);
            Position += 2;
            return true;
        }

        public bool TrySkip(int count)
        {
            if (Remaining < count)
            {
                return false;
            }

            Position += count;
            return true;
        }

        public bool TryReadVector8(out ReadOnlySpan<byte> value)
        {
            value = default;
            var start = Position;
            if (!TryReadUInt8(out var length))
            {
                return false;
            }

            return TryTake(length, start, out value);
        }

        public bool TryReadVector16(out ReadOnlySpan<byte> value)
        {
            value = default;
            var start = Position;
            if (!TryReadUInt16(out var length))
            {
                return false;
            }

            return TryTake(length, start, out value);
        }

        /// <summary>Describes the failed read; call right after it (the position is back at its start).</summary>
        public readonly string Overrun(string what) =>
            Remaining == 0
                ? $"truncated ClientHello: it ends where {what} should start"
                : $"{what} length runs past the end ({Remaining} bytes left including the length)";

        private bool TryTake(int length, int start, out ReadOnlySpan<byte> value)
        {
            if (Remaining < length)
            {
                Position = start;
                value = default;
                return false;
            }

            value = _data.Slice(Position, length);
            Position += length;
            return true;
        }
    }
}
