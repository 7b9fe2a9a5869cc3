using Bulwark.Core.Decisions;
using Bulwark.Core.Lists;
using static Bulwark.Core.Tests.Engine.EngineFixture;

namespace Bulwark.Core.Tests.Challenges;

/// <summary>What a valid challenge pass (<see cref="RequestContext.ChallengePassed"/>) changes in the engine's decision, and what it never changes.</summary>
public sealed class ChallengeEngineTests
{
    private const string Scored = """
        {
          "Routes": [ { "Path": "/api/**", "Policy": "api" } ],
          "Policies": { "api": { "Thresholds": { "Delay": 30, "Challenge": 60, "Block": 90 },
                                 "Limits": [ { "Name": "api-ip", "Key": "ip", "Rate": "2/min", "Burst": 2 } ] } }
        }
        """;

    private static BulwarkEngine Engine(int weight) => NewEngine(Scored, detectors: [new FixedSignalDetector("test_risk", weight)]);

    private static RequestContext Passed(RequestContext request) => new()
    {
        Timestamp = request.Timestamp,
        ClientIp = request.ClientIp,
        Method = request.Method,
        Path = request.Path,
        Account = request.Account,
        Body = request.Body,
        Headers = request.Headers,
        ChallengePassed = true,
    };

    [Fact]
    public async Task A_score_challenge_becomes_an_allow_with_a_pass()
    {
        var engine = Engine(70);
        var without = await engine.Decide(Request());
        Assert.Equal(DecisionAction.Challenge, without.Action);
        Assert.Equal(401, without.StatusCode);

        var with = await engine.Decide(Passed(Request(at: T0.AddSeconds(1))));
        Assert.Equal(DecisionAction.Allow, with.Action);
        Assert.Equal(200, with.StatusCode);
        Assert.Equal(ReasonCodes.ChallengePassed, with.ReasonCode);
        Assert.Contains(with.Reasons, r => r.Signal == ReasonCodes.ChallengePassed);
        Assert.Equal(70, with.Score); // the score is what it was; only the action changes
    }

    [Fact]
    public async Task A_pass_never_lifts_a_score_block()
    {
        var decision = await Engine(95).Decide(Passed(Request()));
        Assert.Equal(DecisionAction.Block, decision.Action);
        Assert.Equal(403, decision.StatusCode);
        Assert.Equal(ReasonCodes.HighRisk, decision.ReasonCode);
    }

    [Fact]
    public async Task A_pass_never_lifts_a_rate_limit()
    {
        var engine = Engine(70);
        Assert.Equal(DecisionAction.Allow, (await engine.Decide(Passed(Request()))).Action);
        Assert.Equal(DecisionAction.Allow, (await engine.Decide(Passed(Request()))).Action);
        var limited = await engine.Decide(Passed(Request()));
        Assert.Equal(429, limited.StatusCode);
        Assert.Equal(ReasonCodes.RateLimited, limited.ReasonCode);
    }

    [Fact]
    public async Task A_pass_never_lifts_a_ban_or_a_deny_list()
    {
        var engine = NewEngine("""
            {
              "Lists": { "Deny": { "Cidrs": [ "198.51.100.0/24" ] } },
              "Routes": [ { "Path": "/api/**", "Policy": "api" } ],
              "Policies": { "api": { "Thresholds": { "Challenge": 60, "Block": 90 } } }
            }
            """, detectors: [new FixedSignalDetector("test_risk", 70)]);
        var denied = await engine.Decide(Passed(Request(ip: "198.51.100.4")));
        Assert.Equal(ReasonCodes.Denied, denied.ReasonCode);
        Assert.Equal(403, denied.StatusCode);

        engine.Bans.Add(BanTarget.Ip, "203.0.113.7", TimeSpan.FromHours(1), "test", T0);
        var banned = await engine.Decide(Passed(Request()));
        Assert.Equal(ReasonCodes.Banned, banned.ReasonCode);
        Assert.Equal(403, banned.StatusCode);
    }

    [Fact]
    public async Task Below_the_challenge_threshold_a_pass_changes_nothing()
    {
        var engine = Engine(40);
        var decision = await engine.Decide(Passed(Request()));
        Assert.Equal(DecisionAction.Delay, decision.Action);
        Assert.DoesNotContain(decision.Reasons, r => r.Signal == ReasonCodes.ChallengePassed);
    }
}
