using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Bulwark.Core.Behavior;

/// <summary>
/// Seeded 64-bit hashes for behaviour keys (actors, groups, routes). The seed is drawn at random per process, so a client
/// cannot aim two keys at one entry. Tables keep these hashes, never the strings they came from.
/// </summary>
internal static class BehaviorHash
{
    private static readonly ulong Seed0 = RandomSeed();
    private static readonly ulong Seed1 = RandomSeed() | 1;
    private static readonly ulong Seed2 = RandomSeed() | 1;

    public static ulong Of(string? text) => text is null ? 0x9E3779B97F4A7C15UL : Of(MemoryMarshal.AsBytes(text.AsSpan()));

    public static ulong Of(ReadOnlySpan<byte> bytes)
    {
        var length = (ulong)bytes.Length;
        var h = Seed0 ^ length;
        while (bytes.Length >= 16)
        {
            h = Fold(BinaryPrimitives.ReadUInt64LittleEndian(bytes) ^ Seed1, BinaryPrimitives.ReadUInt64LittleEndian(bytes[8..]) ^ h);
            bytes = bytes[16..];
        }

        ulong a = 0, b = 0;
        if (bytes.Length >= 8)
        {
            a = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
            bytes = bytes[8..];
        }

        for (var i = 0; i < bytes.Length; i++)
        {
            b |= (ulong)bytes[i] << (8 * i);
        }

        h = Fold(a ^ Seed1, b ^ h ^ Seed2);
        return Fold(h ^ Seed2, Seed1 ^ length);
    }

    /// <summary>Combines two hashes (order matters).</summary>
    public static ulong Combine(ulong a, ulong b) => Fold(a ^ Seed1, b ^ Seed2) ^ a;

    /// <summary>Never 0: tables use 0 for "no key".</summary>
    public static ulong NonZero(ulong h) => h == 0 ? 1 : h;

    private static ulong Fold(ulong a, ulong b)
    {
        var high = Math.BigMul(a, b, out var low);
        return high ^ low;
    }

    private static ulong RandomSeed() => BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));
}
