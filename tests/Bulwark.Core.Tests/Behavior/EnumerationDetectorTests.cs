using Bulwark.Core.Behavior;
using Bulwark.Core.Tests.Data;
using static Bulwark.Core.Tests.Behavior.BehaviorKit;
using static Bulwark.Core.Tests.Engine.EngineFixture;

namespace Bulwark.Core.Tests.Behavior;

public class EnumerationDetectorTests
{
    private const string Config = """{ "Routes": [ { "Path": "/api/products/{id}", "Policy": "p" }, { "Path": "/api/**", "Policy": "p" } ], "Policies": { "p": { } } }""";

    [Fact]
    public void Walking_ids_in_small_steps_is_flagged_from_the_tenth_request()
    {
        var engine = new BulwarkEngine(Options(Config));
        var random = new Random(5);
        var at = T0;
        for (var id = 1000; id < 1020; id++)
        {
            at = at.AddSeconds(ThinkSeconds(random, 3));
            var decision = Run(engine, Script("GET", "/api/products/" + id, "198.51.100.7", at, ChromeJa4));
            Assert.Equal(id - 1000 >= 9, Has(decision, BehaviorSignals.EnumerationSequential));
        }

        // Walking down in steps of two is walking too.
        var down = false;
        for (var id = 5000; id > 4980; id -= 2)
        {
            at = at.AddSeconds(ThinkSeconds(random, 3));
            down |= Has(Run(engine, Script("GET", "/api/users/" + id, "198.51.100.9", at, ChromeJa4)), BehaviorSignals.EnumerationSequential);
        }

        Assert.True(down);
    }

    [Fact]
    public void A_high_share_of_404s_is_flagged_once_enough_answers_are_seen()
    {
        var engine = new BulwarkEngine(Options(Config));
        var random = new Random(9);
        var at = T0;
        var flaggedAt = -1;
        for (var i = 0; i < 30; i++)
        {
            at = at.AddSeconds(ThinkSeconds(random, 3));
            var decision = Run(engine, Script("GET", "/api/products/" + random.Next(1, 10_000_000), "198.51.100.7", at, ChromeJa4), status: i % 3 == 0 ? 200 : 404);
            if (flaggedAt < 0 && Has(decision, BehaviorSignals.EnumerationNotFound))
            {
                flaggedAt = i;
            }
        }

        Assert.Equal(10, flaggedAt); // 10 answers observed before the 11th request, 6 of them 404
    }

    [Fact]
    public void Many_distinct_resources_in_random_order_are_flagged()
    {
        var engine = new BulwarkEngine(Options(Config));
        var random = new Random(17);
        var at = T0;
        var flaggedAt = -1;
        for (var i = 0; i < 280; i++)
        {
            at = at.AddSeconds(ThinkSeconds(random, 1.5, 0.5));
            var decision = Run(engine, Script("GET", "/api/products/" + random.Next(1, 10_000_000), "198.51.100.7", at, ChromeJa4));
            Assert.False(Has(decision, BehaviorSignals.EnumerationSequential));
            if (flaggedAt < 0 && Has(decision, BehaviorSignals.EnumerationDistinct))
            {
                flaggedAt = i;
            }
        }

        // 150 distinct by the estimate (a 128-bit sketch: ±10 %), all within the first ten-minute window.
        Assert.InRange(flaggedAt, 120, 200);
    }

    [Fact]
    public void Riding_just_under_the_limit_is_flagged()
    {
        var engine = new BulwarkEngine(Options("""
            { "Routes": [ { "Path": "/api/**", "Policy": "p" } ],
              "Policies": { "p": { "Limits": [ { "Name": "ip", "Key": "ip", "Rate": "10/min", "Burst": 10 } ] } } }
            """));
        var at = T0;
        var flagged = false;
        for (var i = 0; i < 10; i++)
        {
            Run(engine, Script("GET", "/api/search", "198.51.100.7", at, ChromeJa4));
        }

        // Then exactly at the refill rate: every request leaves at most one token.
        for (var i = 0; i < 30; i++)
        {
            at = at.AddSeconds(6.2);
            var decision = Run(engine, Script("GET", "/api/search", "198.51.100.7", at, ChromeJa4));
            Assert.Equal(Core.Decisions.DecisionAction.Allow, decision.Action is Core.Decisions.DecisionAction.Delay ? Core.Decisions.DecisionAction.Allow : decision.Action);
            flagged |= Has(decision, BehaviorSignals.EnumerationNearLimit);
        }

        Assert.True(flagged);
    }

    [DataFact(UserAgentsFile)]
    public void People_browsing_products_are_never_flagged()
    {
        var engine = new BulwarkEngine(Options(Config));
        var random = new Random(21);
        var flagged = new List<string>();
        for (var user = 0; user < 1_000; user++)
        {
            var agent = Agents[random.Next(Agents.Length)];
            var ip = $"10.{user / 250}.{user % 250}.20";
            var at = T0.AddSeconds(random.Next(0, 3600));
            var current = random.Next(1, 50_000);
            for (var i = 0; i < 30; i++)
            {
                at = at.AddSeconds(ThinkSeconds(random));

                // People jump around: search results, related products, now and then the next one in a list.
                current = random.NextDouble() < 0.1 ? current + 1 : random.Next(1, 50_000);
                var status = random.NextDouble() < 0.03 ? 404 : 200;
                var decision = Run(engine, Browser("GET", "/api/products/" + current, ip, at, agent, session: "s" + user), status);
                flagged.AddRange(decision.Reasons.Where(r => r.Signal.StartsWith("enumeration_", StringComparison.Ordinal)).Select(r => r.Detail));
            }
        }

        Assert.Empty(flagged);
    }
}
