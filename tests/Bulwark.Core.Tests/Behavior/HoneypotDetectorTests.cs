using Bulwark.Core.Behavior;
using Bulwark.Core.Decisions;
using Bulwark.Core.Lists;
using static Bulwark.Core.Tests.Behavior.BehaviorKit;
using static Bulwark.Core.Tests.Engine.EngineFixture;

namespace Bulwark.Core.Tests.Behavior;

public class HoneypotDetectorTests
{
    private const string Config = """
        { "Behavior": { "Honeypot": { "Routes": [ "/api/admin/export", "/api/internal/**" ], "BanSeconds": 600, "ClusterBanSeconds": 300 } },
          "Routes": [ { "Path": "/api/**", "Policy": "api" } ], "Policies": { "api": { } } }
        """;

    [Fact]
    public void A_hit_blocks_and_bans_the_address_and_the_cluster()
    {
        var engine = new BulwarkEngine(Options(Config));
        var hit = Run(engine, Script("GET", "/api/admin/export", "198.51.100.7", T0, LibraryJa4));
        Assert.Equal(DecisionAction.Block, hit.Action);
        Assert.Equal(403, hit.StatusCode);
        Assert.Equal(100, hit.Score);
        var detail = hit.Reasons.Single(r => r.Signal == BehaviorSignals.Honeypot).Detail;
        Assert.StartsWith("undocumented route /api/admin/export requested; IP group banned for 600 s, cluster c", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("198.51.100.7", detail, StringComparison.Ordinal);

        var bans = engine.Bans.List(T0);
        Assert.Contains(bans, b => b.Target == BanTarget.Ip && b.Value == "198.51.100.7" && b.ExpiresAt == T0.AddSeconds(600));
        Assert.Contains(bans, b => b.Target == BanTarget.Fingerprint && b.Value.StartsWith(HoneypotDetector.ClusterBanPrefix, StringComparison.Ordinal));

        // The address is refused by the ban list; another address of the same client cluster by the cluster ban.
        Assert.Equal(ReasonCodes.Banned, Run(engine, Script("GET", "/api/search", "198.51.100.7", T0.AddSeconds(1), LibraryJa4)).ReasonCode);
        var sibling = Run(engine, Script("GET", "/api/search", "203.0.113.50", T0.AddSeconds(2), LibraryJa4));
        Assert.True(Has(sibling, BehaviorSignals.BannedCluster));
        Assert.Equal(DecisionAction.Block, sibling.Action);

        // A browser is another cluster, and the cluster ban ends after its 300 s.
        Assert.Equal(DecisionAction.Allow, Run(engine, Browser("GET", "/api/search", "203.0.113.51", T0.AddSeconds(3), "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0")).Action);
        Assert.False(Has(Run(engine, Script("GET", "/api/search", "203.0.113.52", T0.AddSeconds(301), LibraryJa4)), BehaviorSignals.BannedCluster));
    }

    [Fact]
    public void Repeat_offenders_are_banned_longer_each_time()
    {
        var engine = new BulwarkEngine(Options(Config));
        var at = T0;
        var lengths = new List<TimeSpan>();
        for (var offence = 0; offence < 4; offence++)
        {
            Run(engine, Script("GET", "/api/internal/dump", "198.51.100.7", at, LibraryJa4));
            var ban = engine.Bans.List(at).Single(b => b.Target == BanTarget.Ip);
            lengths.Add(ban.ExpiresAt - at);
            at = ban.ExpiresAt.AddSeconds(1);
        }

        Assert.Equal([TimeSpan.FromSeconds(600), TimeSpan.FromSeconds(1200), TimeSpan.FromSeconds(2400), TimeSpan.FromSeconds(4800)], lengths);
    }

    [Fact]
    public void Monitor_mode_shows_the_hit_and_bans_nobody()
    {
        var engine = new BulwarkEngine(Options(Config.Replace("\"api\": { }", "\"api\": { \"Mode\": \"monitor\" }", StringComparison.Ordinal)));
        var hit = Run(engine, Script("GET", "/api/admin/export", "198.51.100.7", T0, LibraryJa4));
        Assert.False(hit.Enforced);
        Assert.Equal(DecisionAction.Block, hit.Action);
        Assert.Contains("monitor mode, nobody banned", hit.Reasons.Single(r => r.Signal == BehaviorSignals.Honeypot).Detail, StringComparison.Ordinal);
        Assert.Empty(engine.Bans.List(T0));
    }

    [Fact]
    public void Repeated_score_blocks_earn_an_escalating_ban()
    {
        var engine = new BulwarkEngine(Options("""
            { "Behavior": { "Offenders": { "BlocksBeforeBan": 3, "BanSeconds": 60 } },
              "Routes": [ { "Path": "/api/**", "Policy": "api" } ], "Policies": { "api": { "Signals": { "no_user_agent": 100 } } } }
            """));
        var at = T0;
        for (var i = 0; i < 3; i++)
        {
            var blocked = Run(engine, Script("GET", "/api/x", "198.51.100.7", at = at.AddSeconds(1), LibraryJa4, userAgent: ""));
            Assert.Equal(ReasonCodes.HighRisk, blocked.ReasonCode);
        }

        var first = engine.Bans.List(at).Single();
        Assert.Equal(TimeSpan.FromSeconds(60), first.ExpiresAt - at);
        at = first.ExpiresAt;
        for (var i = 0; i < 3; i++)
        {
            Run(engine, Script("GET", "/api/x", "198.51.100.7", at = at.AddSeconds(1), LibraryJa4, userAgent: ""));
        }

        var second = engine.Bans.List(at).Single();
        Assert.Equal(TimeSpan.FromSeconds(120), second.ExpiresAt - at);
        Assert.Contains("offence 2", second.Reason, StringComparison.Ordinal);
    }
}
