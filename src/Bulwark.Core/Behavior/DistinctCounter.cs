using System.Numerics;

namespace Bulwark.Core.Behavior;

/// <summary>
/// Distinct values (accounts) of one group in a sliding window, by linear counting over a 128-bit bitmap per window: the
/// estimate covers the current and the previous window and is good to about ±10 % up to 200 values, then saturates high
/// (which is the direction that matters for abuse). Also counts attempts and failures. 56 bytes.
/// </summary>
internal struct DistinctCounter
{
    public ulong Low;
    public ulong High;
    public ulong PreviousLow;
    public ulong PreviousHigh;
    public long WindowStart;
    public int Attempts;
    public int Failures;
    public int PreviousAttempts;
    public int PreviousFailures;

    public void Roll(long now, long window)
    {
        if (WindowStart == 0)
        {
            WindowStart = now;
            return;
        }

        if (now - WindowStart < window)
        {
            return;
        }

        var skipped = now - WindowStart >= 2 * window;
        PreviousLow = skipped ? 0 : Low;
        PreviousHigh = skipped ? 0 : High;
        PreviousAttempts = skipped ? 0 : Attempts;
        PreviousFailures = skipped ? 0 : Failures;
        Low = High = 0;
        Attempts = Failures = 0;
        WindowStart = skipped ? now : WindowStart + window;
    }

    public void Add(ulong valueHash)
    {
        var bit = (int)(valueHash % 128);
        if (bit < 64)
        {
            Low |= 1UL << bit;
        }
        else
        {
            High |= 1UL << (bit - 64);
        }
    }

    public readonly int Estimate()
    {
        var set = BitOperations.PopCount(Low | PreviousLow) + BitOperations.PopCount(High | PreviousHigh);
        if (set >= 128)
        {
            return 1_000;
        }

        return (int)Math.Round(-128 * Math.Log((128.0 - set) / 128.0));
    }

    public readonly int TotalAttempts => Attempts + PreviousAttempts;

    public readonly double FailureRatio => TotalAttempts == 0 ? 0 : (double)(Failures + PreviousFailures) / TotalAttempts;
}
