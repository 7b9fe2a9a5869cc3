using Bulwark.Core.Behavior;
using Bulwark.Core.Pipeline;
using Bulwark.Core.Tests.Data;
using static Bulwark.Core.Tests.Behavior.BehaviorKit;
using static Bulwark.Core.Tests.Engine.EngineFixture;

namespace Bulwark.Core.Tests.Behavior;

public class StuffingDetectorTests
{
    private const string Config = """
        { "Routes": [ { "Path": "/api/auth/login", "Policy": "login" } ],
          "Policies": { "login": { "Behavior": { "Stuffing": { "Enabled": true, "FailureStatuses": [ 401 ] } } } } }
        """;

    private static string Body(string user, string password) => $$"""{ "username": "{{user}}", "password": "{{password}}" }""";

    [Fact]
    public void Many_accounts_from_one_address_are_flagged()
    {
        var engine = new BulwarkEngine(Options(Config));
        var random = new Random(1);
        var at = T0;
        Core.Decisions.Decision? last = null;
        for (var i = 0; i < 12; i++)
        {
            at = at.AddSeconds(ThinkSeconds(random, 20));
            last = Run(engine, Script("POST", "/api/auth/login", "198.51.100.7", at, ChromeJa4, account: $"victim{i}@example.com", body: Body($"victim{i}@example.com", "pw" + i)), 401);
        }

        Assert.True(Has(last!, BehaviorSignals.StuffingAccountsIp));
        var detail = last!.Reasons.First(r => r.Signal == BehaviorSignals.StuffingAccountsIp).Detail;
        Assert.DoesNotContain("victim", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("198.51.100.7", detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_stuffing_run_spread_over_a_subnet_and_a_cluster_is_flagged_and_the_password_never_appears()
    {
        var engine = new BulwarkEngine(Options(Config));
        var random = new Random(2);
        var at = T0;
        var subnet = false;
        var cluster = false;
        var reasons = new List<string>();
        for (var i = 0; i < 400; i++)
        {
            at = at.AddSeconds(ThinkSeconds(random, 2));

            // Each address tries one account: nothing for the per-address count. The addresses come from 40 /24s.
            var ip = $"198.51.{i % 40}.{(i / 40) + 1}";
            var password = "Secret-" + i.ToString("x", System.Globalization.CultureInfo.InvariantCulture);
            var decision = Run(engine, Script("POST", "/api/auth/login", ip, at, ChromeJa4, account: $"user{i}@example.com", body: Body($"user{i}@example.com", password)), random.NextDouble() < 0.97 ? 401 : 200);
            subnet |= Has(decision, BehaviorSignals.StuffingAccountsSubnet);
            cluster |= Has(decision, BehaviorSignals.StuffingAccountsCluster);
            reasons.AddRange(decision.Reasons.Select(r => r.Detail));
            Assert.DoesNotContain(decision.Reasons, r => r.Detail.Contains(password, StringComparison.Ordinal));
        }

        Assert.False(subnet, "40 subnets share 400 accounts: 10 per /24, under the threshold of 20");
        Assert.True(cluster);
    }

    [Fact]
    public void One_password_across_many_accounts_is_a_spray()
    {
        var engine = new BulwarkEngine(Options(Config));
        var random = new Random(4);
        var at = T0;
        var sprayedAt = -1;
        for (var i = 0; i < 10; i++)
        {
            at = at.AddSeconds(ThinkSeconds(random, 30));
            var decision = Run(engine, Browser("POST", "/api/auth/login", $"203.0.{i}.9", at, "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
                account: $"staff{i}@example.com", body: Body($"staff{i}@example.com", "Winter2026!")), 401);
            if (sprayedAt < 0 && Has(decision, BehaviorSignals.StuffingPasswordSpray))
            {
                sprayedAt = i;
            }
        }

        Assert.InRange(sprayedAt, 3, 6); // the 5th account by the estimate, give or take a collision in the bitmap
    }

    [Fact]
    public void Monitor_mode_still_shows_the_signals()
    {
        var engine = new BulwarkEngine(Options(Config.Replace("\"login\": {", "\"login\": { \"Mode\": \"monitor\",", StringComparison.Ordinal)));
        Core.Decisions.Decision? last = null;
        for (var i = 0; i < 12; i++)
        {
            last = Run(engine, Script("POST", "/api/auth/login", "198.51.100.7", T0.AddSeconds(13 * i), ChromeJa4, account: $"v{i}", body: Body($"v{i}", "x" + i)), 401);
        }

        Assert.False(last!.Enforced);
        Assert.True(Has(last, BehaviorSignals.StuffingAccountsIp));
    }

    [Fact]
    public void Many_people_behind_one_address_with_a_common_password_are_not_flagged()
    {
        var engine = new BulwarkEngine(Options(Config));
        var random = new Random(10);
        var at = T0;
        var flagged = new List<string>();
        for (var i = 0; i < 300; i++)
        {
            // Carrier-grade NAT: one address, hundreds of accounts, one popular password; a mistype now and then.
            at = at.AddSeconds(ThinkSeconds(random, 5));
            var account = $"subscriber{i}@example.com";
            var status = random.NextDouble() < 0.15 ? 401 : 200;
            var decision = Run(engine, Browser("POST", "/api/auth/login", "100.64.0.1", at, "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
                account: account, body: Body(account, "123456")), status);
            flagged.AddRange(decision.Reasons.Where(r => r.Signal.StartsWith("stuffing_", StringComparison.Ordinal)).Select(r => r.Signal));
        }

        Assert.Empty(flagged);
    }

    [DataFact(UserAgentsFile)]
    public void People_logging_in_to_their_own_accounts_are_never_flagged()
    {
        var engine = new BulwarkEngine(Options(Config));
        var random = new Random(8);
        var flagged = 0;
        for (var user = 0; user < 3_000; user++)
        {
            var agent = Agents[random.Next(Agents.Length)];

            // Households: two people behind each address.
            var ip = $"10.{user % 60}.{user / 60 % 25}.{user % 2}";
            var at = T0.AddSeconds(random.Next(0, 3600));
            var password = "own-" + user;
            var tries = random.NextDouble() < 0.1 ? 2 : 1; // one in ten mistypes once
            for (var t = 0; t < tries; t++)
            {
                at = at.AddSeconds(ThinkSeconds(random, 5));
                var decision = Run(engine, Browser("POST", "/api/auth/login", ip, at, agent, account: $"person{user}@example.com", body: Body($"person{user}@example.com", password)),
                    t + 1 < tries ? 401 : 200);
                flagged += decision.Reasons.Count(r => r.Signal.StartsWith("stuffing_", StringComparison.Ordinal));
            }
        }

        Assert.Equal(0, flagged);
    }

    [Fact]
    public void Asn_groups_count_when_ip_intelligence_knows_the_asn()
    {
        var options = Options(Config.Replace("\"Enabled\": true", "\"Enabled\": true, \"AccountsPerAsn\": 30", StringComparison.Ordinal));
        var engine = new BulwarkEngine(options, enrichers: [new FixedAsn(64500)]);
        var random = new Random(6);
        var at = T0;
        var asn = false;
        for (var i = 0; i < 120; i++)
        {
            at = at.AddSeconds(ThinkSeconds(random, 2));
            var agent = i % 2 == 0 ? "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0" : "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
            var decision = Run(engine, Browser("POST", "/api/auth/login", $"100.{64 + (i % 50)}.{i}.1", at, agent, account: $"u{i}", body: Body($"u{i}", "p" + i)), 401);
            asn |= Has(decision, BehaviorSignals.StuffingAccountsAsn);
        }

        Assert.True(asn);
    }

    private sealed class FixedAsn(long asn) : IEnricher
    {
        public void Enrich(RequestContext request, EvaluationContext context) => context.Asn = asn;
    }
}
