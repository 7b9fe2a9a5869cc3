using System.Text;
using System.Text.Json;
using Bulwark.Core.Replay;
using static Bulwark.Core.Tests.Engine.EngineFixture;

namespace Bulwark.Core.Tests.Protections;

public sealed class ReplayProtectionTests
{
    private const string Policy = """
        { "Routes": [ { "Methods": ["POST"], "Path": "/api/inference", "Policy": "inference", "CostUsd": 0.05 },
                      { "Methods": ["POST"], "Path": "/login", "Policy": "login" } ],
          "Policies": {
            "inference": { "Budget": { "ApiKeyPerHourUsd": 0.25 } },
            "login": { "Login": { "ChallengeAfterFailures": 0, "DelayAfterFailures": 0, "AccountFailures": "", "LockoutAfterFailures": 3 } } } }
        """;

    private static async Task<(ReplaySummary Summary, JsonElement[] Decisions)> Replay(IEnumerable<string> lines)
    {
        var options = Options(Policy);
        var runner = new ReplayRunner(new BulwarkEngine(options), options);
        using var decisions = new MemoryStream();
        var summary = await runner.RunAsync(new MemoryStream(Encoding.UTF8.GetBytes(string.Join('\n', lines))), decisions);
        return (summary, Encoding.UTF8.GetString(decisions.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToArray());
    }

    [Fact]
    public async Task Replay_sums_the_money_refusals_saved()
    {
        var lines = Enumerable.Range(0, 12).Select(i =>
            $$"""{"ts":"2026-11-21T10:{{i:00}}:00Z","ip":"203.0.113.9","method":"POST","path":"/api/inference","api_key":"k1","status":200}""");
        var (summary, decisions) = await Replay(lines);

        // $0.25 an hour at $0.05 a call: five pass, seven are refused.
        Assert.Equal(0.35m, summary.SavedUsd);
        Assert.Equal(7, decisions.Count(d => d.TryGetProperty("saved_usd", out _)));
    }

    [Fact]
    public async Task Replay_feeds_recorded_statuses_to_the_login_lockout()
    {
        var lines = Enumerable.Range(0, 5).Select(i =>
            $$"""{"ts":"2026-11-21T10:00:0{{i}}Z","ip":"203.0.113.{{i + 1}}","method":"POST","path":"/login","account":"alice","body":{"username":"alice"},"status":401}""");
        var (_, decisions) = await Replay(lines);
        Assert.Equal(["allowed", "allowed", "allowed", "login_locked", "login_locked"], decisions.Select(d => d.GetProperty("reason_code").GetString()));
    }
}
