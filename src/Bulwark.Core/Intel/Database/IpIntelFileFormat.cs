using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Bulwark.Core.Intel.Database;

/// <summary>
/// The layout of a database file, little-endian throughout.
/// <code>
/// header (64 bytes): magic "BULWIPDB" | u16 format version | u16 0 | u32 header size (64) | i64 build time (Unix ms)
///                    | u64 payload length | 32-byte SHA-256 of the payload
/// payload:           u32 source count, each a string      (string = u16 UTF-8 length + bytes)
///                    u32 string count, each a string      (organisations and countries)
///                    u32 record count, records of 32 bytes: u32 asn | i32 organisation (-1) | i32 country (-1)
///                        | f32 latitude (NaN: no location) | f32 longitude | u16 accuracy km | u16 kinds | u64 source mask
///                    u32 IPv4 range count, u32 starts[], u32 record indexes[]
///                    u32 IPv6 range count, starts[] as (u64 high, u64 low), u32 record indexes[]
/// </code>
/// Starts ascend strictly and the first is 0 (gaps point at record 0, which says nothing), so every address has exactly
/// one range: the last whose start is not above it.
/// </summary>
internal static class IpIntelFileFormat
{
    public const int HeaderSize = 64;
    public const ushort Version = 1;
    public const int RecordSize = 32;
    public static ReadOnlySpan<byte> Magic => "BULWIPDB"u8;

    public static byte[] Write(
        DateTimeOffset buildTime,
        IReadOnlyList<string> sources,
        IReadOnlyList<string> strings,
        IReadOnlyList<StoredRecord> records,
        ReadOnlySpan<uint> v4Starts,
        ReadOnlySpan<int> v4Records,
        ReadOnlySpan<UInt128> v6Starts,
        ReadOnlySpan<int> v6Records)
    {
        using var payload = new MemoryStream();
        Span<byte> scratch = stackalloc byte[RecordSize];
        WriteStrings(payload, sources);
        WriteStrings(payload, strings);
        WriteU32(payload, (uint)records.Count);
        foreach (StoredRecord r in records)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(scratch, r.Asn);
            BinaryPrimitives.WriteInt32LittleEndian(scratch[4..], r.Organisation);
            BinaryPrimitives.WriteInt32LittleEndian(scratch[8..], r.Country);
            BinaryPrimitives.WriteSingleLittleEndian(scratch[12..], r.Latitude);
            BinaryPrimitives.WriteSingleLittleEndian(scratch[16..], r.Longitude);
            BinaryPrimitives.WriteUInt16LittleEndian(scratch[20..], r.AccuracyKm);
            BinaryPrimitives.WriteUInt16LittleEndian(scratch[22..], (ushort)r.Kinds);
            BinaryPrimitives.WriteUInt64LittleEndian(scratch[24..], r.SourceMask);
            payload.Write(scratch);
        }

        WriteU32(payload, (uint)v4Starts.Length);
        foreach (uint start in v4Starts)
        {
            WriteU32(payload, start);
        }

        foreach (int record in v4Records)
        {
            WriteU32(payload, (uint)record);
        }

        WriteU32(payload, (uint)v6Starts.Length);
        foreach (UInt128 start in v6Starts)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(scratch, (ulong)(start >> 64));
            BinaryPrimitives.WriteUInt64LittleEndian(scratch[8..], (ulong)start);
            payload.Write(scratch[..16]);
        }

        foreach (int record in v6Records)
        {
            WriteU32(payload, (uint)record);
        }

        byte[] body = payload.GetBuffer();
        int bodyLength = (int)payload.Length;
        byte[] file = new byte[HeaderSize + bodyLength];
        Magic.CopyTo(file);
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(8), Version);
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(12), HeaderSize);
        BinaryPrimitives.WriteInt64LittleEndian(file.AsSpan(16), buildTime.ToUnixTimeMilliseconds());
        BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(24), (ulong)bodyLength);
        body.AsSpan(0, bodyLength).CopyTo(file.AsSpan(HeaderSize));
        SHA256.HashData(file.AsSpan(HeaderSize), file.AsSpan(32, 32));
        return file;
    }

    private static void WriteStrings(Stream stream, IReadOnlyList<string> strings)
    {
        WriteU32(stream, (uint)strings.Count);
        Span<byte> length = stackalloc byte[2];
        foreach (string s in strings)
        {
            byte[] bytes = Encoding.UTF8.GetBytes(s);
            if (bytes.Length > ushort.MaxValue)
            {
                bytes = bytes[..ushort.MaxValue];
            }

            BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)bytes.Length);
            stream.Write(length);
            stream.Write(bytes);
        }
    }

    private static void WriteU32(Stream stream, uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        stream.Write(bytes);
    }
}

/// <summary>A record as stored: facts with strings as indexes into the string table.</summary>
internal readonly record struct StoredRecord(
    uint Asn, int Organisation, int Country, float Latitude, float Longitude, ushort AccuracyKm, NetworkKind Kinds, ulong SourceMask);
