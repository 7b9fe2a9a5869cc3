using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Bulwark.Core.Limits;

/// <summary>
/// A keyed 64-bit hash of a counter key, seeded at random per process. The in-memory store keeps this hash instead of the
/// key string: two keys share a counter only if their hashes collide, which for n live keys happens with probability
/// about n²/2⁶⁵ (3·10⁻⁸ at a million keys), and a client cannot aim for a collision without the secret seed.
/// The construction follows wyhash (a 64×64→128-bit multiply folded, per 16-byte block). No 0 is ever returned: 0 marks
/// an empty slot.
/// </summary>
internal static class CounterKeyHash
{
    private static readonly ulong Seed0 = RandomSeed();
    private static readonly ulong Seed1 = RandomSeed() | 1;
    private static readonly ulong Seed2 = RandomSeed() | 1;

    public static ulong Of(string key) => Of(key.AsSpan());

    /// <summary>The hash of a key still in a buffer: equal to <see cref="Of(string)"/> of the same characters, so a key never needs to become a string.</summary>
    public static ulong Of(ReadOnlySpan<char> key)
    {
        var bytes = MemoryMarshal.AsBytes(key);
        var h = Seed0 ^ (ulong)bytes.Length;
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
        h = Fold(h ^ Seed2, Seed1 ^ (ulong)key.Length);
        return h == 0 ? 1 : h;
    }

    private static ulong Fold(ulong a, ulong b)
    {
        var high = Math.BigMul(a, b, out var low);
        return high ^ low;
    }

    private static ulong RandomSeed() => BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));
}
