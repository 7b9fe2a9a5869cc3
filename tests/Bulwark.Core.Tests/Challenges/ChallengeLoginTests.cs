using Bulwark.Core.Decisions;
using static Bulwark.Core.Tests.Engine.EngineFixture;

namespace Bulwark.Core.Tests.Challenges;

/// <summary>The login preset's "challenge after N failures" with a solved challenge: the attempt goes on, held by the failure delay; the lockout still comes.</summary>
public sealed class ChallengeLoginTests
{
    private const string Config = """
        {
          "Routes": [ { "Methods": ["POST"], "Path": "/login", "Policy": "login" } ],
          "Policies": { "login": { "Login": { "AccountFailures": "100/h", "IpAttempts": "", "DelayAfterFailures": 3, "MaxDelaySeconds": 30,
                                              "ChallengeAfterFailures": 3, "LockoutAfterFailures": 10, "LockoutMinutes": 60 } } }
        }
        """;

    private static async Task<Decision> Attempt(BulwarkEngine engine, DateTimeOffset at, bool passed)
    {
        var request = new RequestContext
        {
            Timestamp = at,
            ClientIp = System.Net.IPAddress.Parse("203.0.113.7"),
            Method = "POST",
            Path = "/login",
            Account = "alice",
            ChallengePassed = passed,
        };
        var decision = await engine.Decide(request);
        await engine.Feedback(decision, request, decision.IsRefusal ? 0 : 401, TimeSpan.FromMilliseconds(20));
        return decision;
    }

    [Fact]
    public async Task After_three_failures_a_pass_lets_attempts_through_held_by_the_delay_until_the_lockout_at_ten()
    {
        var engine = NewEngine(Config);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(DecisionAction.Allow, (await Attempt(engine, T0.AddMinutes(i), passed: false)).Action);
        }

        // Three failures: without a pass the fourth attempt is challenged (and so not counted as a failure).
        var challenged = await Attempt(engine, T0.AddMinutes(3), passed: false);
        Assert.Equal(DecisionAction.Challenge, challenged.Action);
        Assert.Equal(401, challenged.StatusCode);

        // With a pass it reaches the application, held 2 s (the delay from the 3rd failure), and its failure counts.
        var through = await Attempt(engine, T0.AddMinutes(4), passed: true);
        Assert.Equal(DecisionAction.Delay, through.Action);
        Assert.Equal(TimeSpan.FromSeconds(2), through.Delay);
        Assert.Contains(through.Reasons, r => r.Signal == ReasonCodes.ChallengePassed);

        for (var i = 5; i < 11; i++)
        {
            Assert.Equal(DecisionAction.Delay, (await Attempt(engine, T0.AddMinutes(i), passed: true)).Action);
        }

        // Ten failures now: the account is locked, pass or not.
        var locked = await Attempt(engine, T0.AddMinutes(11), passed: true);
        Assert.Equal(DecisionAction.Block, locked.Action);
        Assert.Equal(429, locked.StatusCode);
        Assert.Equal(ReasonCodes.LoginLocked, locked.ReasonCode);
    }
}
