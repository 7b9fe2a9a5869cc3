using Bulwark.Core.Behavior;
using Bulwark.Core.Tests.Data;
using static Bulwark.Core.Tests.Behavior.BehaviorKit;
using static Bulwark.Core.Tests.Engine.EngineFixture;

namespace Bulwark.Core.Tests.Behavior;

public class SequenceDetectorTests
{
    private const string Config = """
        { "Routes": [ { "Path": "/api/auth/login", "Policy": "login" }, { "Path": "/api/**", "Policy": "api" } ],
          "Policies": {
            "login": { },
            "api": { "Behavior": { "Sequences": [
              { "Route": "/api/account/select", "After": [ "/api/auth/login" ], "MinDwellMs": 1000 },
              { "Route": "/api/account", "After": [ "/api/account/select" ], "MinDwellMs": 0 } ] } } } }
        """;

    private const string Agent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

    [Fact]
    public void A_step_without_its_prerequisite_is_flagged()
    {
        var engine = new BulwarkEngine(Options(Config));
        var decision = Run(engine, Browser("POST", "/api/account/select", "198.51.100.7", T0, Agent, session: "s1"));
        Assert.True(Has(decision, BehaviorSignals.SequenceMissingStep));
        Assert.Equal("/api/account/select reached without /api/auth/login first", decision.Reasons.First(r => r.Signal == BehaviorSignals.SequenceMissingStep).Detail);
        Assert.False(Has(Run(engine, Browser("GET", "/api/products/7", "198.51.100.7", T0.AddSeconds(1), Agent)), BehaviorSignals.SequenceMissingStep));
    }

    [Fact]
    public void A_step_faster_than_a_person_is_flagged_and_a_paced_flow_is_not()
    {
        var engine = new BulwarkEngine(Options(Config));
        Run(engine, Browser("POST", "/api/auth/login", "198.51.100.7", T0, Agent, account: "alice"), 200);
        var fast = Run(engine, Browser("POST", "/api/account/select", "198.51.100.7", T0.AddMilliseconds(200), Agent, session: "s1"));
        Assert.True(Has(fast, BehaviorSignals.SequenceTooFast));
        Assert.Contains("200 ms after /api/auth/login (minimum 1000 ms)", fast.Reasons.First(r => r.Signal == BehaviorSignals.SequenceTooFast).Detail, StringComparison.Ordinal);

        // Another client: the same flow at human pace, changing identity from account to session on the way.
        Run(engine, Browser("POST", "/api/auth/login", "198.51.100.8", T0, Agent, account: "bob"), 200);
        var select = Run(engine, Browser("POST", "/api/account/select", "198.51.100.8", T0.AddSeconds(3), Agent, session: "s2"));
        var data = Run(engine, Browser("GET", "/api/account", "198.51.100.8", T0.AddSeconds(5), Agent, session: "s2"));
        Assert.Empty(select.Reasons);
        Assert.Empty(data.Reasons);
    }

    [Fact]
    public void A_prerequisite_expires_after_its_window()
    {
        var engine = new BulwarkEngine(Options(Config));
        Run(engine, Browser("POST", "/api/auth/login", "198.51.100.7", T0, Agent, account: "alice"), 200);
        Assert.True(Has(Run(engine, Browser("POST", "/api/account/select", "198.51.100.7", T0.AddMinutes(31), Agent, session: "s1")), BehaviorSignals.SequenceMissingStep));
    }

    [DataFact(UserAgentsFile)]
    public void People_following_the_flow_with_think_times_are_never_flagged()
    {
        var engine = new BulwarkEngine(Options(Config));
        var random = new Random(3);
        var flagged = new List<string>();
        for (var user = 0; user < 2_000; user++)
        {
            var agent = Agents[random.Next(Agents.Length)];
            var ip = $"10.{user / 250}.{user % 250}.9";
            var at = T0.AddSeconds(random.Next(0, 7200));
            flagged.AddRange(Run(engine, Browser("POST", "/api/auth/login", ip, at, agent, account: "user" + user), 200).Reasons.Where(r => r.Signal.StartsWith("sequence_", StringComparison.Ordinal)).Select(r => r.Detail).ToList());
            // The next page has to load and render (about a second) before a person can click on it.
            at = at.AddSeconds(1.0 + ThinkSeconds(random, 3, 0.6));
            flagged.AddRange(Run(engine, Browser("POST", "/api/account/select", ip, at, agent, session: "s" + user)).Reasons.Where(r => r.Signal.StartsWith("sequence_", StringComparison.Ordinal)).Select(r => r.Detail).ToList());
            for (var i = 0; i < 5; i++)
            {
                // The page fetches the account data by itself right after the selection (no dwell for that step).
                at = at.AddSeconds(i == 0 ? 0.1 : ThinkSeconds(random));
                flagged.AddRange(Run(engine, Browser("GET", i == 0 ? "/api/account" : "/api/products/" + random.Next(1, 50_000), ip, at, agent, session: "s" + user))
                    .Reasons.Where(r => r.Signal.StartsWith("sequence_", StringComparison.Ordinal)).Select(r => r.Detail).ToList());
            }
        }

        Assert.Empty(flagged);
    }
}
