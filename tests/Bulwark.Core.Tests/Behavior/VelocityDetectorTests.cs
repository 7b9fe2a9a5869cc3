using Bulwark.Core.Behavior;
using Bulwark.Core.Tests.Data;
using static Bulwark.Core.Tests.Behavior.BehaviorKit;
using static Bulwark.Core.Tests.Engine.EngineFixture;

namespace Bulwark.Core.Tests.Behavior;

public class VelocityDetectorTests
{
    private const string Config = """{ "Routes": [ { "Path": "/api/search", "Policy": "search" } ], "Policies": { "search": { } } }""";

    /// <summary>People searching at about <paramref name="perSecond"/> requests a second for <paramref name="seconds"/>.</summary>
    private static (int Requests, int Flagged) People(BulwarkEngine engine, Random random, DateTimeOffset start, double seconds, double perSecond, int firstUser)
    {
        var requests = 0;
        var flagged = 0;
        var at = start;
        var end = start.AddSeconds(seconds);
        var user = firstUser;
        while (at < end)
        {
            at = at.AddSeconds(-Math.Log(1 - random.NextDouble()) / perSecond); // Poisson arrivals
            var agent = Agents[random.Next(Agents.Length)];
            var id = user++ % 20_000;
            var decision = Run(engine, Browser("GET", "/api/search", $"10.{id / 250 % 250}.{id % 250}.1", at, agent, session: "s" + id));
            requests++;
            if (Has(decision, BehaviorSignals.VelocityCluster))
            {
                flagged++;
            }
        }

        return (requests, flagged);
    }

    [DataFact(UserAgentsFile)]
    public void A_surge_from_one_cluster_is_flagged_and_people_in_it_are_not()
    {
        var engine = new BulwarkEngine(Options(Config));
        var random = new Random(12);
        var (_, warmFlagged) = People(engine, random, T0, 300, 10, 0);
        Assert.Equal(0, warmFlagged);

        // 200 requests a second from distinct addresses, one script cluster, mixed with people at the usual rate.
        var at = T0.AddSeconds(300);
        var attack = 0;
        var caught = 0;
        var firstCaught = -1;
        for (var i = 0; i < 4_000; i++)
        {
            at = at.AddMilliseconds(5);
            var decision = Run(engine, Script("GET", "/api/search", $"172.{16 + (i / 65_000)}.{i / 250 % 250}.{(i % 250) + 1}", at, LibraryJa4,
                ChromeAgents[random.Next(ChromeAgents.Length)]));
            attack++;
            if (Has(decision, BehaviorSignals.VelocityCluster))
            {
                caught++;
                firstCaught = firstCaught < 0 ? i : firstCaught;
            }

            if (i % 20 == 0)
            {
                var (_, peopleFlagged) = People(engine, random, at, 0.1, 10, 50_000 + i);
                Assert.Equal(0, peopleFlagged);
            }
        }

        Assert.InRange(firstCaught, 0, 500);
        Assert.True(caught >= attack - firstCaught - 1, $"{caught} of {attack} caught, first at {firstCaught}");
    }

    [DataFact(UserAgentsFile)]
    public void A_flash_crowd_of_people_is_not_flagged()
    {
        var engine = new BulwarkEngine(Options(Config));
        var random = new Random(13);
        People(engine, random, T0, 300, 10, 0);
        var (requests, flagged) = People(engine, random, T0.AddSeconds(300), 120, 50, 1_000);
        Assert.True(requests > 5_000);
        Assert.Equal(0, flagged);
    }

    [Fact]
    public void Space_saving_keeps_the_heavy_hitters_among_a_million_distinct_keys()
    {
        var summary = new SpaceSaving(64);
        var random = new Random(1);
        for (var i = 0; i < 1_000_000; i++)
        {
            summary.Add(i % 4 == 0 ? 42UL : (ulong)random.NextInt64(1, long.MaxValue));
        }

        Assert.Equal(64, summary.Used);
        Assert.InRange(summary.CountOf(42), 250_000, 250_000 + (750_000 / 64) + 1);
    }
}
