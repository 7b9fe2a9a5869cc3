using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Bulwark.Core.Fingerprints;

/// <summary>
/// MD5 (RFC 1321) in managed code for JA3's short strings. JA3 is defined as an MD5 digest; it names a client and protects
/// nothing. For a 100-300 byte string this is about 0.15-0.2 us cheaper than OpenSSL through <c>IncrementalHash</c>,
/// whose per-call cost (about 0.3 us even for an empty input) dwarfs the two to five blocks hashed; measured for
/// docs/performance.md. The tests hold it to RFC 1321's vectors and to <c>MD5.HashData</c> on every length up to 300.
/// </summary>
internal static class Ja3Md5
{
    public const int HashSizeInBytes = 16;

    public static void Hash(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        uint a = 0x67452301, b = 0xefcdab89, c = 0x98badcfe, d = 0x10325476;
        var full = data.Length & ~63;
        for (var i = 0; i < full; i += 64)
        {
            Block(data.Slice(i, 64), ref a, ref b, ref c, ref d);
        }

        // The last partial block, 0x80, zeros and the bit length (little-endian): one block, or two when under 9 bytes remain.
        Span<byte> tail = stackalloc byte[128];
        tail.Clear();
        var rest = data.Length - full;
        data[full..].CopyTo(tail);
        tail[rest] = 0x80;
        var tailLength = rest < 56 ? 64 : 128;
        BinaryPrimitives.WriteUInt64LittleEndian(tail[(tailLength - 8)..], (ulong)data.Length * 8);
        Block(tail[..64], ref a, ref b, ref c, ref d);
        if (tailLength == 128)
        {
            Block(tail[64..], ref a, ref b, ref c, ref d);
        }

        BinaryPrimitives.WriteUInt32LittleEndian(destination, a);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], b);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[8..], c);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[12..], d);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint F(uint a, uint b, uint c, uint d, uint x, uint t, int s) => BitOperations.RotateLeft(a + (d ^ (b & (c ^ d))) + x + t, s) + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint G(uint a, uint b, uint c, uint d, uint x, uint t, int s) => BitOperations.RotateLeft(a + (c ^ (d & (b ^ c))) + x + t, s) + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint H(uint a, uint b, uint c, uint d, uint x, uint t, int s) => BitOperations.RotateLeft(a + (b ^ c ^ d) + x + t, s) + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint I(uint a, uint b, uint c, uint d, uint x, uint t, int s) => BitOperations.RotateLeft(a + (c ^ (b | ~d)) + x + t, s) + b;

    // The 64 steps unrolled, four to a line as RFC 1321 lists them, so that the words stay in registers.
    private static void Block(ReadOnlySpan<byte> p, ref uint ra, ref uint rb, ref uint rc, ref uint rd)
    {
        p = p[..64];
        uint x0 = Word(p, 0), x1 = Word(p, 1), x2 = Word(p, 2), x3 = Word(p, 3), x4 = Word(p, 4), x5 = Word(p, 5), x6 = Word(p, 6), x7 = Word(p, 7);
        uint x8 = Word(p, 8), x9 = Word(p, 9), x10 = Word(p, 10), x11 = Word(p, 11), x12 = Word(p, 12), x13 = Word(p, 13), x14 = Word(p, 14), x15 = Word(p, 15);
        uint a = ra, b = rb, c = rc, d = rd;
        a = F(a, b, c, d, x0, 0xd76aa478, 7); d = F(d, a, b, c, x1, 0xe8c7b756, 12); c = F(c, d, a, b, x2, 0x242070db, 17); b = F(b, c, d, a, x3, 0xc1bdceee, 22);
        a = F(a, b, c, d, x4, 0xf57c0faf, 7); d = F(d, a, b, c, x5, 0x4787c62a, 12); c = F(c, d, a, b, x6, 0xa8304613, 17); b = F(b, c, d, a, x7, 0xfd469501, 22);
        a = F(a, b, c, d, x8, 0x698098d8, 7); d = F(d, a, b, c, x9, 0x8b44f7af, 12); c = F(c, d, a, b, x10, 0xffff5bb1, 17); b = F(b, c, d, a, x11, 0x895cd7be, 22);
        a = F(a, b, c, d, x12, 0x6b901122, 7); d = F(d, a, b, c, x13, 0xfd987193, 12); c = F(c, d, a, b, x14, 0xa679438e, 17); b = F(b, c, d, a, x15, 0x49b40821, 22);
        a = G(a, b, c, d, x1, 0xf61e2562, 5); d = G(d, a, b, c, x6, 0xc040b340, 9); c = G(c, d, a, b, x11, 0x265e5a51, 14); b = G(b, c, d, a, x0, 0xe9b6c7aa, 20);
        a = G(a, b, c, d, x5, 0xd62f105d, 5); d = G(d, a, b, c, x10, 0x02441453, 9); c = G(c, d, a, b, x15, 0xd8a1e681, 14); b = G(b, c, d, a, x4, 0xe7d3fbc8, 20);
        a = G(a, b, c, d, x9, 0x21e1cde6, 5); d = G(d, a, b, c, x14, 0xc33707d6, 9); c = G(c, d, a, b, x3, 0xf4d50d87, 14); b = G(b, c, d, a, x8, 0x455a14ed, 20);
        a = G(a, b, c, d, x13, 0xa9e3e905, 5); d = G(d, a, b, c, x2, 0xfcefa3f8, 9); c = G(c, d, a, b, x7, 0x676f02d9, 14); b = G(b, c, d, a, x12, 0x8d2a4c8a, 20);
        a = H(a, b, c, d, x5, 0xfffa3942, 4); d = H(d, a, b, c, x8, 0x8771f681, 11); c = H(c, d, a, b, x11, 0x6d9d6122, 16); b = H(b, c, d, a, x14, 0xfde5380c, 23);
        a = H(a, b, c, d, x1, 0xa4beea44, 4); d = H(d, a, b, c, x4, 0x4bdecfa9, 11); c = H(c, d, a, b, x7, 0xf6bb4b60, 16); b = H(b, c, d, a, x10, 0xbebfbc70, 23);
        a = H(a, b, c, d, x13, 0x289b7ec6, 4); d = H(d, a, b, c, x0, 0xeaa127fa, 11); c = H(c, d, a, b, x3, 0xd4ef3085, 16); b = H(b, c, d, a, x6, 0x04881d05, 23);
        a = H(a, b, c, d, x9, 0xd9d4d039, 4); d = H(d, a, b, c, x12, 0xe6db99e5, 11); c = H(c, d, a, b, x15, 0x1fa27cf8, 16); b = H(b, c, d, a, x2, 0xc4ac5665, 23);
        a = I(a, b, c, d, x0, 0xf4292244, 6); d = I(d, a, b, c, x7, 0x432aff97, 10); c = I(c, d, a, b, x14, 0xab9423a7, 15); b = I(b, c, d, a, x5, 0xfc93a039, 21);
        a = I(a, b, c, d, x12, 0x655b59c3, 6); d = I(d, a, b, c, x3, 0x8f0ccc92, 10); c = I(c, d, a, b, x10, 0xffeff47d, 15); b = I(b, c, d, a, x1, 0x85845dd1, 21);
        a = I(a, b, c, d, x8, 0x6fa87e4f, 6); d = I(d, a, b, c, x15, 0xfe2ce6e0, 10); c = I(c, d, a, b, x6, 0xa3014314, 15); b = I(b, c, d, a, x13, 0x4e0811a1, 21);
        a = I(a, b, c, d, x4, 0xf7537e82, 6); d = I(d, a, b, c, x11, 0xbd3af235, 10); c = I(c, d, a, b, x2, 0x2ad7d2bb, 15); b = I(b, c, d, a, x9, 0xeb86d391, 21);
        ra += a;
        rb += b;
        rc += c;
        rd += d;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Word(ReadOnlySpan<byte> block, int index) => BinaryPrimitives.ReadUInt32LittleEndian(block[(4 * index)..]);
}
