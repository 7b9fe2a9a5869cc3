using Bulwark.Core.Limits;

namespace Bulwark.Core.Tests.Limits;

/// <summary>Builds operations and applies them one at a time on explicit timestamps.</summary>
internal static class CounterTestKit
{
    /// <summary>A short period so tick arithmetic in assertions stays readable.</summary>
    public const long Period = 1_000;

    /// <summary>A window-aligned timestamp far from zero.</summary>
    public const long T0 = 1_000_000 * Period;

    public static CounterOperation Op(
        LimitAlgorithm algorithm,
        long permits,
        CounterMode mode = CounterMode.Acquire,
        long cost = 1,
        long burst = 0,
        long period = Period,
        long maxDelay = 0,
        string key = "k") => new()
        {
            Key = key,
            Algorithm = algorithm,
            Mode = mode,
            Permits = permits,
            PeriodTicks = period,
            Burst = burst == 0 ? Math.Max(permits, 1) : burst,
            Cost = cost,
            MaxDelayTicks = maxDelay,
        };

    public static CounterResult Apply(this InMemoryCounterStore store, CounterOperation op, long nowTicks)
    {
        var results = new CounterResult[1];
        store.Apply([op], results, nowTicks);
        return results[0];
    }

    public static CounterOperation With(this CounterOperation op, CounterMode mode, long cost = 1)
    {
        op.Mode = mode;
        op.Cost = cost;
        return op;
    }

    /// <summary>How many admitted timestamps the busiest closed interval of length <paramref name="length"/> holds.</summary>
    public static int MaxInAnyInterval(List<long> sortedTimes, long length)
    {
        var best = 0;
        var end = 0;
        for (var start = 0; start < sortedTimes.Count; start++)
        {
            while (end < sortedTimes.Count && sortedTimes[end] - sortedTimes[start] <= length)
            {
                end++;
            }

            best = Math.Max(best, end - start);
        }

        return best;
    }
}
