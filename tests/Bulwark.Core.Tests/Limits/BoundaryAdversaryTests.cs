using Bulwark.Core.Limits;
using static Bulwark.Core.Tests.Limits.CounterTestKit;

namespace Bulwark.Core.Tests.Limits;

/// <summary>
/// A client that times its requests around window boundaries never gets more through, in any closed interval of one
/// period, than the bound documented on <see cref="LimitAlgorithm"/>.
/// </summary>
public sealed class BoundaryAdversaryTests
{
    private const long Permits = 10;
    private const long Burst = 15;

    public static TheoryData<LimitAlgorithm> RateAlgorithms =>
    [
        LimitAlgorithm.TokenBucket,
        LimitAlgorithm.Gcra,
        LimitAlgorithm.SlidingWindow,
        LimitAlgorithm.FixedWindow,
    ];

    [Theory]
    [MemberData(nameof(RateAlgorithms))]
    public void Bursts_just_before_and_after_a_boundary_stay_within_the_bound(LimitAlgorithm algorithm)
    {
        var attempts = new List<long>();
        foreach (var offset in new long[] { -2, -1, 0, 1, 2 })
        {
            for (var i = 0; i < 3 * Permits; i++)
            {
                attempts.Add(T0 + Period + offset);
            }
        }

        var admitted = Run(algorithm, attempts);
        Assert.InRange(MaxInAnyInterval(admitted, Period), 1, Bound(algorithm));
        if (algorithm == LimitAlgorithm.SlidingWindow)
        {
            // The straddling burst the documentation calls out: Permits + 1 at most (exactly Permits here).
            Assert.InRange(admitted.Count, Permits, Permits + 1);
        }

        if (algorithm == LimitAlgorithm.FixedWindow)
        {
            Assert.Equal(2 * Permits, admitted.Count);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(99)]
    [InlineData(100)]
    [InlineData(199)]
    [InlineData(250)]
    [InlineData(600)]
    public void A_sliding_window_burst_lasting_d_past_the_boundary_gets_at_most_permits_plus_permits_d_over_period(long d)
    {
        var attempts = new List<long>();
        for (var t = T0 + Period - 5; t <= T0 + Period + d; t++)
        {
            for (var i = 0; i < Permits; i++)
            {
                attempts.Add(t);
            }
        }

        var admitted = Run(LimitAlgorithm.SlidingWindow, attempts);
        var bound = Permits + (Permits * d / Period);
        Assert.Equal(bound, admitted.Count);
        if (d < 2 * Period / Permits)
        {
            Assert.True(admitted.Count <= Permits + 1);
        }
    }

    [Fact]
    public void Sliding_window_worst_case_reaches_two_permits_minus_one()
    {
        // A burst in the last tick of a window, then pacing at the full rate through the next one: every request the
        // decaying estimate allows. The closed interval from the burst to the last tick of the next window holds 2N − 1.
        var attempts = new List<long>();
        for (var i = 0; i < Permits; i++)
        {
            attempts.Add(T0 + Period - 1);
        }

        for (var t = T0 + Period; t < T0 + (2 * Period); t++)
        {
            attempts.Add(t);
        }

        var admitted = Run(LimitAlgorithm.SlidingWindow, attempts);
        Assert.Equal((2 * Permits) - 1, MaxInAnyInterval(admitted, Period));
    }

    [Fact]
    public void Fixed_window_worst_case_reaches_two_permits()
    {
        var attempts = new List<long>();
        for (var i = 0; i < 2 * Permits; i++)
        {
            attempts.Add(T0 + Period - 1);
            attempts.Add(T0 + Period);
        }

        attempts.Sort();
        Assert.Equal(2 * Permits, MaxInAnyInterval(Run(LimitAlgorithm.FixedWindow, attempts), Period));
    }

    [Theory]
    [InlineData(LimitAlgorithm.TokenBucket)]
    [InlineData(LimitAlgorithm.Gcra)]
    public void Bucket_worst_case_reaches_burst_plus_permits(LimitAlgorithm algorithm)
    {
        // Full bucket spent at once, then every token as it arrives through one period.
        var attempts = new List<long>();
        for (var t = T0; t <= T0 + Period; t++)
        {
            attempts.Add(t);
            if (t == T0)
            {
                for (var i = 0; i < 2 * Burst; i++)
                {
                    attempts.Add(t);
                }
            }
        }

        Assert.Equal(Burst + Permits, MaxInAnyInterval(Run(algorithm, attempts), Period));
    }

    [Theory]
    [MemberData(nameof(RateAlgorithms))]
    public void Randomized_strategies_never_beat_the_bound(LimitAlgorithm algorithm)
    {
        var random = new Random(20_261_122);
        for (var run = 0; run < 200; run++)
        {
            var attempts = RandomStrategy(random);
            var admitted = Run(algorithm, attempts);
            var worst = MaxInAnyInterval(admitted, Period);
            Assert.True(worst <= Bound(algorithm), $"run {run}: {worst} admitted in one period, bound {Bound(algorithm)}");
        }
    }

    [Theory]
    [InlineData(LimitAlgorithm.TokenBucket)]
    [InlineData(LimitAlgorithm.Gcra)]
    public void Delayed_admissions_released_on_time_stay_within_the_bound(LimitAlgorithm algorithm)
    {
        var random = new Random(7);
        for (var run = 0; run < 200; run++)
        {
            var store = new InMemoryCounterStore();
            var op = Op(algorithm, Permits, burst: Burst, maxDelay: random.Next(1, 3 * (int)Period));
            var released = new List<long>();
            foreach (var t in RandomStrategy(random))
            {
                var result = store.Apply(op, t);
                if (result.Spent)
                {
                    released.Add(t + result.DelayTicks);
                }
            }

            released.Sort();
            Assert.True(MaxInAnyInterval(released, Period) <= Bound(algorithm));
        }
    }

    private static long Bound(LimitAlgorithm algorithm) => algorithm switch
    {
        LimitAlgorithm.TokenBucket or LimitAlgorithm.Gcra => Burst + Permits,
        LimitAlgorithm.SlidingWindow => (2 * Permits) - 1,
        _ => 2 * Permits,
    };

    private static List<long> Run(LimitAlgorithm algorithm, List<long> attempts)
    {
        var store = new InMemoryCounterStore();
        var op = Op(algorithm, Permits, burst: Burst);
        var admitted = new List<long>();
        foreach (var t in attempts)
        {
            if (store.Apply(op, t).Allowed)
            {
                admitted.Add(t);
            }
        }

        return admitted;
    }

    /// <summary>Bursts near boundaries, steady pacing at and above the rate, and random arrivals, over a few windows.</summary>
    private static List<long> RandomStrategy(Random random)
    {
        var attempts = new List<long>();
        var windows = random.Next(2, 6);
        for (var w = 0; w < windows; w++)
        {
            var start = T0 + (w * Period);
            switch (random.Next(4))
            {
                case 0:
                    // Burst near the boundary on one or both sides.
                    var before = random.Next(0, 50);
                    var after = random.Next(0, 50);
                    for (var i = 0; i < random.Next(1, 3 * (int)Permits); i++)
                    {
                        attempts.Add(start + Period - 1 - random.Next(0, before + 1));
                        attempts.Add(start + Period + random.Next(0, after + 1));
                    }

                    break;
                case 1:
                    // Pacing at a random interval (at or above the rate).
                    var step = random.Next(1, (int)(Period / Permits) + 1);
                    for (var t = start + random.Next(0, (int)Period); t < start + Period; t += step)
                    {
                        attempts.Add(t);
                    }

                    break;
                case 2:
                    for (var i = 0; i < random.Next(0, 60); i++)
                    {
                        attempts.Add(start + random.Next(0, (int)Period));
                    }

                    break;
                default:
                    // Idle window, then a burst at a random instant.
                    var at = start + random.Next(0, (int)Period);
                    for (var i = 0; i < random.Next(1, 3 * (int)Permits); i++)
                    {
                        attempts.Add(at);
                    }

                    break;
            }
        }

        attempts.Sort();
        return attempts;
    }
}
