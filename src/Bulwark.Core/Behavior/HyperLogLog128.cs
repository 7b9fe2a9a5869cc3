using System.Numerics;

namespace Bulwark.Core.Behavior;

/// <summary>
/// HyperLogLog (Flajolet et al., 2007) over 128 one-byte registers held by the caller: distinct 64-bit hashes with a
/// standard error of about 9 % at any count, 128 bytes whatever the number of values. Small counts use linear counting.
/// </summary>
internal static class HyperLogLog128
{
    public const int Registers = 128;

    private const double Alpha = 0.7213 / (1 + (1.079 / Registers));

    /// <summary>Adds a 64-bit key (mixed here, so any key will do).</summary>
    public static void Add(Span<byte> registers, ulong hash)
    {
        // MurmurHash3's 64-bit finaliser: keys that differ only in low bits (counters, addresses) spread over every bit.
        hash ^= hash >> 33;
        hash *= 0xFF51AFD7ED558CCDUL;
        hash ^= hash >> 33;
        hash *= 0xC4CEB9FE1A85EC53UL;
        hash ^= hash >> 33;
        var index = (int)(hash >> 57);
        var rank = (byte)(BitOperations.LeadingZeroCount((hash << 7) | (1UL << 6)) + 1);
        if (registers[index] < rank)
        {
            registers[index] = rank;
        }
    }

    /// <summary>The estimated number of distinct values in the union of <paramref name="a"/> and <paramref name="b"/>.</summary>
    public static double EstimateUnion(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        double sum = 0;
        var zeros = 0;
        for (var i = 0; i < Registers; i++)
        {
            var r = Math.Max(a[i], b[i]);
            sum += 1.0 / (1UL << r);
            zeros += r == 0 ? 1 : 0;
        }

        var estimate = Alpha * Registers * Registers / sum;
        return estimate <= 2.5 * Registers && zeros > 0 ? Registers * Math.Log(Registers / (double)zeros) : estimate;
    }
}
