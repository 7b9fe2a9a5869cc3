using System.Security.Cryptography;

namespace Bulwark.Core.Decisions;

/// <summary>
/// Decision ids: 16 hex characters, unique within a process (a counter through a bijective mix) and unlikely to collide
/// across processes (a random starting point). Cheap: one interlocked increment and one 16-character string.
/// </summary>
internal static class DecisionIds
{
    private static readonly ulong Seed = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));
    private static long s_counter;

    public static string Next()
    {
        var x = Seed + (ulong)Interlocked.Increment(ref s_counter);
        // splitmix64's finaliser: a bijection on 64-bit values, so distinct counters give distinct ids.
        x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9UL;
        x = (x ^ (x >> 27)) * 0x94d049bb133111ebUL;
        x ^= x >> 31;
        return string.Create(16, x, static (span, value) => value.TryFormat(span, out _, "x16"));
    }
}
