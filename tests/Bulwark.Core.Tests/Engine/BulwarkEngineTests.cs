using System.Net;
using Bulwark.Core.Decisions;
using Bulwark.Core.Limits;
using Bulwark.Core.Lists;
using Bulwark.Core.Policy;
using static Bulwark.Core.Tests.Engine.EngineFixture;

namespace Bulwark.Core.Tests.Engine;

public class BulwarkEngineTests
{
    private const string LoginPolicy = """
        {
          "Routes": [ { "Methods": ["POST"], "Path": "/login", "Policy": "login" }, { "Path": "/api/**", "Policy": "api" } ],
          "Policies": {
            "login": { "Limits": [
              { "Name": "login-ip", "Key": "ip", "Rate": "10/min", "Burst": 5 },
              { "Name": "login-account-failures", "Key": "account", "Rate": "3/h", "Count": "failures", "FailureStatuses": ["401"] } ] },
            "api": { "Limits": [ { "Name": "api-ip", "Key": "ip", "Rate": "100/min" } ] }
          }
        }
        """;

    [Fact]
    public async Task A_request_no_route_covers_is_not_covered_and_counts_nothing()
    {
        var engine = NewEngine(LoginPolicy);
        var decision = await engine.Decide(Request(path: "/elsewhere"));
        Assert.Same(Decision.NotCovered, decision);
        Assert.False(decision.Covered);
    }

    [Fact]
    public async Task Login_burst_is_allowed_then_refused_with_429_and_the_deciding_limit()
    {
        var engine = NewEngine(LoginPolicy);
        for (var i = 0; i < 5; i++)
        {
            var ok = await engine.Decide(Request("POST", "/login"));
            Assert.Equal(DecisionAction.Allow, ok.Action);
            Assert.Equal(4 - i, ok.Limits.Single(l => l.Name == "login-ip").Remaining);
        }

        var refused = await engine.Decide(Request("POST", "/login"));
        Assert.Equal(DecisionAction.Block, refused.Action);
        Assert.Equal(429, refused.StatusCode);
        Assert.Equal(ReasonCodes.RateLimited, refused.ReasonCode);
        Assert.Equal("login-ip", refused.Limit!.Name);
        Assert.Equal(0, refused.Limit.Remaining);
        Assert.Equal(TimeSpan.FromSeconds(6), refused.RetryAfter); // 10/min refills one token every 6 s
        Assert.Contains(refused.Reasons, r => r.Signal == "rate_limit" && r.Detail.Contains("login-ip", StringComparison.Ordinal));
        Assert.True(refused.IsRefusal);

        // Another address has its own bucket; six seconds later the first has one token again.
        Assert.Equal(DecisionAction.Allow, (await engine.Decide(Request("POST", "/login", ip: "198.51.100.1"))).Action);
        Assert.Equal(DecisionAction.Allow, (await engine.Decide(Request("POST", "/login", at: T0.AddSeconds(6)))).Action);
    }

    [Fact]
    public async Task Failure_only_limit_counts_failed_responses_not_successes()
    {
        var engine = NewEngine(LoginPolicy);
        var at = T0;
        async Task<Decision> Attempt(int status)
        {
            at = at.AddSeconds(7); // stay within the per-IP rate
            var request = Request("POST", "/login", at: at, account: "alice@example.com");
            var decision = await engine.Decide(request);
            if (decision.Action == DecisionAction.Allow)
            {
                await engine.Feedback(decision, request, status, TimeSpan.FromMilliseconds(5));
            }

            return decision;
        }

        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(DecisionAction.Allow, (await Attempt(200)).Action); // successes never count
        }

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(DecisionAction.Allow, (await Attempt(401)).Action);
        }

        var refused = await Attempt(401);
        Assert.Equal(429, refused.StatusCode);
        Assert.Equal("login-account-failures", refused.Limit!.Name);

        // Account names are compared case-insensitively.
        var other = await engine.Decide(Request("POST", "/login", at: at.AddSeconds(7), account: "ALICE@example.com", ip: "198.51.100.9"));
        Assert.Equal(429, other.StatusCode);
    }

    [Fact]
    public async Task Feedback_is_settled_once()
    {
        var engine = NewEngine(LoginPolicy);
        var request = Request("POST", "/login", account: "bob");
        var decision = await engine.Decide(request);
        for (var i = 0; i < 5; i++)
        {
            await engine.Feedback(decision, request, 401, TimeSpan.Zero);
        }

        var next = await engine.Decide(Request("POST", "/login", account: "bob", at: T0.AddSeconds(7)));
        Assert.Equal(2, next.Limits.Single(l => l.Name == "login-account-failures").Remaining);
    }

    [Fact]
    public async Task Cost_counting_limit_spends_the_route_cost()
    {
        var engine = NewEngine("""
            {
              "Routes": [ { "Path": "/api/inference", "Policy": "p", "Cost": 10 }, { "Path": "/api/cheap", "Policy": "p" } ],
              "Policies": { "p": { "Limits": [ { "Name": "cost", "Key": "ip", "Rate": "100/min", "Count": "cost" } ] } }
            }
            """);
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(DecisionAction.Allow, (await engine.Decide(Request("POST", "/api/inference"))).Action);
        }

        Assert.Equal(429, (await engine.Decide(Request("POST", "/api/inference"))).StatusCode);

        var cheap = NewEngine("""
            {
              "Routes": [ { "Path": "/api/cheap", "Policy": "p" } ],
              "Policies": { "p": { "Limits": [ { "Name": "cost", "Key": "ip", "Rate": "100/min", "Count": "cost" } ] } }
            }
            """);
        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(DecisionAction.Allow, (await cheap.Decide(Request("GET", "/api/cheap"))).Action);
        }
    }

    [Fact]
    public async Task Tiered_limit_uses_the_rate_of_the_first_matching_tier()
    {
        const string policy = """
            {
              "Routes": [ { "Path": "/api/**", "Policy": "p" } ],
              "Policies": { "p": { "Limits": [ { "Name": "ip", "Key": "ip", "Rate": "60/min",
                 "Tiers": [ { "When": "hosting", "Rate": "5/min" }, { "When": "tor", "Rate": "0/min" } ] } ] } }
            }
            """;
        var residential = NewEngine(policy);
        var hosting = NewEngine(policy, detectors: [new FixedSignalDetector("hosting_network", 0, tier: "hosting")]);
        var tor = NewEngine(policy, detectors: [new FixedSignalDetector("tor_exit", 0, tier: "tor")]);

        Assert.Equal(60, await AllowedInBurst(residential, 100));
        Assert.Equal(5, await AllowedInBurst(hosting, 100));
        Assert.Equal(0, await AllowedInBurst(tor, 100));

        var decision = await hosting.Decide(Request());
        Assert.Contains("hosting", decision.Tiers);
        Assert.Equal(5, decision.Limits[0].Quota);
    }

    private static async Task<int> AllowedInBurst(BulwarkEngine engine, int attempts)
    {
        var allowed = 0;
        for (var i = 0; i < attempts; i++)
        {
            if ((await engine.Decide(Request())).Action == DecisionAction.Allow)
            {
                allowed++;
            }
        }

        return allowed;
    }

    [Theory]
    [InlineData("\"Mode\": \"monitor\",", "")]
    [InlineData("", "\"Mode\": \"monitor\",")]
    public async Task Monitor_mode_computes_the_action_but_does_not_enforce_it(string globalMode, string policyMode)
    {
        var engine = NewEngine($$"""
            {
              {{globalMode}}
              "Routes": [ { "Path": "/api/**", "Policy": "p" } ],
              "Policies": { "p": { {{policyMode}} "Limits": [ { "Name": "ip", "Key": "ip", "Rate": "2/min" } ] } }
            }
            """);
        await engine.Decide(Request());
        await engine.Decide(Request());
        var third = await engine.Decide(Request());
        Assert.Equal(DecisionAction.Block, third.Action);
        Assert.Equal(429, third.StatusCode);
        Assert.False(third.Enforced);
        Assert.False(third.IsRefusal);
    }

    [Fact]
    public async Task Monitor_on_one_policy_leaves_the_others_enforced()
    {
        var engine = NewEngine("""
            {
              "Routes": [ { "Path": "/watch/**", "Policy": "watch" }, { "Path": "/api/**", "Policy": "p" } ],
              "Policies": {
                "watch": { "Mode": "monitor", "Limits": [ { "Name": "w", "Key": "ip", "Rate": "1/min" } ] },
                "p": { "Limits": [ { "Name": "ip", "Key": "ip", "Rate": "1/min" } ] } }
            }
            """);
        await engine.Decide(Request(path: "/api/a"));
        Assert.True((await engine.Decide(Request(path: "/api/a"))).IsRefusal);
        await engine.Decide(Request(path: "/watch/a"));
        var watched = await engine.Decide(Request(path: "/watch/a"));
        Assert.Equal(429, watched.StatusCode);
        Assert.False(watched.Enforced);
    }

    [Fact]
    public async Task Allow_and_deny_lists_by_cidr_api_key_and_account()
    {
        var engine = NewEngine("""
            {
              "Routes": [ { "Path": "/api/**", "Policy": "p" } ],
              "Lists": {
                "Allow": { "Cidrs": ["10.1.0.0/16"], "ApiKeys": ["partner-key"], "Accounts": ["ops@example.com"] },
                "Deny": { "Cidrs": ["192.0.2.0/24", "2001:db8:bad::/48"], "ApiKeys": ["stolen-key"], "Accounts": ["mallory"] } },
              "Policies": { "p": { "Limits": [ { "Name": "ip", "Key": "ip", "Rate": "1/min" } ] } }
            }
            """);

        foreach (var request in new[] { Request(ip: "192.0.2.44"), Request(ip: "2001:db8:bad:1::5"), Request(apiKey: "stolen-key"), Request(account: "Mallory") })
        {
            var denied = await engine.Decide(request);
            Assert.Equal(403, denied.StatusCode);
            Assert.Equal(ReasonCodes.Denied, denied.ReasonCode);
        }

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(DecisionAction.Allow, (await engine.Decide(Request(ip: "10.1.2.3"))).Action);
            Assert.Equal(ReasonCodes.AllowListed, (await engine.Decide(Request(apiKey: "partner-key", ip: "198.51.100.3"))).ReasonCode);
            Assert.Equal(ReasonCodes.AllowListed, (await engine.Decide(Request(account: "ops@example.com", ip: "198.51.100.4"))).ReasonCode);
        }

        // Allow wins over deny.
        Assert.Equal(ReasonCodes.AllowListed, (await engine.Decide(Request(ip: "192.0.2.1", apiKey: "partner-key"))).ReasonCode);
    }

    [Fact]
    public async Task Denied_and_banned_clients_are_refused_on_paths_no_route_covers_and_everyone_else_is_not_covered()
    {
        var engine = NewEngine("""
            {
              "Routes": [ { "Path": "/api/**", "Policy": "p" } ],
              "Lists": { "Deny": { "Cidrs": ["192.0.2.0/24"] }, "Allow": { "Cidrs": ["203.0.113.7/32"] } },
              "Policies": { "p": { } }
            }
            """);
        Assert.True(engine.RefusesUncovered);
        var denied = await engine.Decide(Request(ip: "192.0.2.44", path: "/static/app.js"));
        Assert.Equal(403, denied.StatusCode);
        Assert.Equal(ReasonCodes.Denied, denied.ReasonCode);
        Assert.Equal(CompiledConfiguration.UncoveredPolicyName, denied.Policy);
        Assert.True(denied.Covered && denied.Enforced);
        Assert.False((await engine.Decide(Request(ip: "198.51.100.1", path: "/static/app.js"))).Covered);

        engine.Bans.Add(BanTarget.Ip, "203.0.113.0/24", TimeSpan.FromMinutes(10), "manual: scraping", T0);
        var banned = await engine.Decide(Request(ip: "203.0.113.99", path: "/static/app.js", at: T0.AddMinutes(1)));
        Assert.Equal(ReasonCodes.Banned, banned.ReasonCode);
        Assert.Equal(TimeSpan.FromMinutes(9), banned.RetryAfter);
        // The allow list wins outside the routes as inside them: an allowed address inside a banned network passes.
        Assert.False((await engine.Decide(Request(ip: "203.0.113.7", path: "/static/app.js", at: T0.AddMinutes(1)))).Covered);
        Assert.Equal(ReasonCodes.AllowListed, (await engine.Decide(Request(ip: "203.0.113.7", path: "/api/a", at: T0.AddMinutes(1)))).ReasonCode);
        Assert.False((await engine.Decide(Request(ip: "203.0.113.99", path: "/static/app.js", at: T0.AddMinutes(11)))).Covered);

        var open = NewEngine("""{ "Routes": [ { "Path": "/api/**", "Policy": "p" } ], "Policies": { "p": { } } }""");
        Assert.False(open.RefusesUncovered);
        Assert.Same(Decision.NotCovered, await open.Decide(Request(ip: "192.0.2.44", path: "/static/app.js")));
    }

    [Fact]
    public async Task A_manual_ban_blocks_until_its_time_to_live_runs_out()
    {
        var engine = NewEngine("""{ "Routes": [ { "Path": "/api/**", "Policy": "p" } ], "Policies": { "p": { } } }""");
        engine.Bans.Add(BanTarget.Ip, "203.0.113.0/24", TimeSpan.FromMinutes(10), "manual: scraping", T0);
        engine.Bans.Add(BanTarget.Fingerprint, "t13d0000_bad", TimeSpan.FromMinutes(1), "bad client", T0);

        var banned = await engine.Decide(Request(ip: "203.0.113.99", at: T0.AddMinutes(5)));
        Assert.Equal(403, banned.StatusCode);
        Assert.Equal(ReasonCodes.Banned, banned.ReasonCode);
        Assert.Equal(TimeSpan.FromMinutes(5), banned.RetryAfter);
        Assert.DoesNotContain("203.0.113", banned.Reasons[0].Detail, StringComparison.Ordinal);

        Assert.Equal(403, (await engine.Decide(Request(ip: "198.51.100.1", ja4: "t13d0000_bad", at: T0.AddSeconds(30)))).StatusCode);
        Assert.Equal(DecisionAction.Allow, (await engine.Decide(Request(ip: "198.51.100.1", ja4: "t13d0000_bad", at: T0.AddSeconds(61)))).Action);
        Assert.Equal(DecisionAction.Allow, (await engine.Decide(Request(ip: "203.0.113.99", at: T0.AddMinutes(10).AddSeconds(1)))).Action);
    }

    [Fact]
    public async Task Ipv6_clients_in_one_64_share_a_counter_and_other_64s_do_not()
    {
        var engine = NewEngine("""
            { "Routes": [ { "Path": "/api/**", "Policy": "p" } ],
              "Policies": { "p": { "Limits": [ { "Name": "ip", "Key": "ip", "Rate": "3/min" } ] } } }
            """);
        Assert.Equal(DecisionAction.Allow, (await engine.Decide(Request(ip: "2001:db8:1:2::1"))).Action);
        Assert.Equal(DecisionAction.Allow, (await engine.Decide(Request(ip: "2001:db8:1:2:ffff::9"))).Action);
        var third = await engine.Decide(Request(ip: "2001:db8:1:2:abcd:1234:5678:9abc"));
        Assert.Equal(DecisionAction.Allow, third.Action);
        Assert.Equal("2001:db8:1:2::/64", third.Actor.Ip);
        Assert.Equal(429, (await engine.Decide(Request(ip: "2001:db8:1:2::77"))).StatusCode);
        Assert.Equal(DecisionAction.Allow, (await engine.Decide(Request(ip: "2001:db8:1:3::1"))).Action);

        // An IPv4-mapped IPv6 address counts as the IPv4 address.
        await engine.Decide(Request(ip: "198.51.100.5"));
        await engine.Decide(Request(ip: "::ffff:198.51.100.5"));
        await engine.Decide(Request(ip: "198.51.100.5"));
        Assert.Equal(429, (await engine.Decide(Request(ip: "::ffff:198.51.100.5"))).StatusCode);
    }

    [Fact]
    public async Task Ipv6_grouping_prefix_is_configurable()
    {
        var engine = NewEngine("""
            { "Ipv6Prefix": 56, "Routes": [ { "Path": "/api/**", "Policy": "p" } ],
              "Policies": { "p": { "Limits": [ { "Name": "ip", "Key": "ip", "Rate": "1/min" } ] } } }
            """);
        Assert.Equal(DecisionAction.Allow, (await engine.Decide(Request(ip: "2001:db8:1:200::1"))).Action);
        var sameSlash56 = await engine.Decide(Request(ip: "2001:db8:1:2ff::1"));
        Assert.Equal(429, sameSlash56.StatusCode);
        Assert.Equal("2001:db8:1:200::/56", sameSlash56.Actor.Ip);
    }

    [Theory]
    [InlineData(10, DecisionAction.Allow, 200)]
    [InlineData(30, DecisionAction.Delay, 200)]
    [InlineData(60, DecisionAction.Challenge, 401)]
    [InlineData(85, DecisionAction.Block, 403)]
    [InlineData(150, DecisionAction.Block, 403)]
    public async Task Score_thresholds_choose_the_action(int weight, DecisionAction expected, int status)
    {
        var engine = NewEngine(
            """{ "Routes": [ { "Path": "/api/**", "Policy": "p" } ], "Policies": { "p": { "Thresholds": { "Delay": 30, "Challenge": 60, "Block": 85 } } } }""",
            detectors: [new FixedSignalDetector("test_signal", weight)]);
        var decision = await engine.Decide(Request());
        Assert.Equal(expected, decision.Action);
        Assert.Equal(status, decision.StatusCode);
        Assert.Equal(Math.Min(weight, 100), decision.Score);
        Assert.Contains(decision.Reasons, r => r.Signal == "test_signal" && r.Weight == weight);
        if (expected == DecisionAction.Delay)
        {
            Assert.Equal(TimeSpan.FromMilliseconds(250), decision.Delay); // the base delay at the threshold
            Assert.Equal(ReasonCodes.HighRisk, decision.ReasonCode);
        }
    }

    [Theory]
    [InlineData(49, DecisionAction.Allow, 200)]
    [InlineData(50, DecisionAction.Delay, 200)]
    [InlineData(79, DecisionAction.Delay, 200)]
    [InlineData(80, DecisionAction.Challenge, 401)]
    [InlineData(94, DecisionAction.Challenge, 401)]
    [InlineData(95, DecisionAction.Block, 403)]
    public async Task Default_thresholds_delay_at_50_challenge_at_80_and_block_at_95(int weight, DecisionAction expected, int status)
    {
        var engine = NewEngine(
            """{ "Routes": [ { "Path": "/api/**", "Policy": "p" } ], "Policies": { "p": { } } }""",
            detectors: [new FixedSignalDetector("test_signal", weight)]);
        var decision = await engine.Decide(Request());
        Assert.Equal(expected, decision.Action);
        Assert.Equal(status, decision.StatusCode);
    }

    [Fact]
    public async Task Delay_grows_with_the_score_up_to_the_cap()
    {
        const string policy = """
            { "Routes": [ { "Path": "/api/**", "Policy": "p" } ],
              "Policies": { "p": { "Thresholds": { "Delay": 20, "Challenge": 60, "Block": 90 }, "Delay": { "BaseMs": 100, "MaxMs": 2100 } } } }
            """;
        var low = await NewEngine(policy, detectors: [new FixedSignalDetector("s", 20)]).Decide(Request());
        var mid = await NewEngine(policy, detectors: [new FixedSignalDetector("s", 40)]).Decide(Request());
        var high = await NewEngine(policy, detectors: [new FixedSignalDetector("s", 59)]).Decide(Request());
        Assert.Equal(TimeSpan.FromMilliseconds(100), low.Delay);
        Assert.Equal(TimeSpan.FromMilliseconds(1100), mid.Delay);
        Assert.True(high.Delay > mid.Delay && high.Delay <= TimeSpan.FromMilliseconds(2100));
    }

    [Fact]
    public async Task Policy_signal_weights_override_and_zero_disables()
    {
        const string template = """
            { "Routes": [ { "Path": "/api/**", "Policy": "p" } ],
              "Policies": { "p": { "Signals": { "no_user_agent": WEIGHT }, "Thresholds": { "Delay": 30, "Challenge": 60, "Block": 85 } } } }
            """;
        var heavy = NewEngine(template.Replace("WEIGHT", "90", StringComparison.Ordinal), detectors: BulwarkEngine.DefaultDetectors());
        var off = NewEngine(template.Replace("WEIGHT", "0", StringComparison.Ordinal), detectors: BulwarkEngine.DefaultDetectors());
        Assert.Equal(DecisionAction.Block, (await heavy.Decide(Request(userAgent: null))).Action);
        Assert.Equal(DecisionAction.Allow, (await heavy.Decide(Request(userAgent: "curl/8.5"))).Action);
        var offDecision = await off.Decide(Request(userAgent: null));
        Assert.Equal(0, offDecision.Score);
        Assert.Empty(offDecision.Reasons);
    }

    [Fact]
    public async Task Concurrency_limit_holds_in_flight_requests_and_feedback_releases_them()
    {
        var engine = NewEngine("""
            { "Routes": [ { "Path": "/api/**", "Policy": "p" } ],
              "Policies": { "p": { "Limits": [ { "Name": "inflight", "Key": "ip", "Rate": "2/min", "Algorithm": "concurrency" } ] } } }
            """);
        var r1 = Request();
        var d1 = await engine.Decide(r1);
        var d2 = await engine.Decide(Request());
        var d3 = await engine.Decide(Request());
        Assert.Equal(DecisionAction.Allow, d1.Action);
        Assert.Equal(DecisionAction.Allow, d2.Action);
        Assert.Equal(429, d3.StatusCode);
        Assert.Equal(ReasonCodes.ConcurrencyLimited, d3.ReasonCode);

        await engine.Feedback(d3, Request(), 0, TimeSpan.Zero); // a refused request holds no lease
        await engine.Feedback(d1, r1, 0, TimeSpan.Zero); // the client went away: the lease is still returned
        Assert.Equal(DecisionAction.Allow, (await engine.Decide(Request())).Action);
        Assert.Equal(429, (await engine.Decide(Request())).StatusCode);
    }

    [Fact]
    public async Task Delay_on_limit_paces_progressively_then_refuses_beyond_the_cap()
    {
        var engine = NewEngine("""
            { "Routes": [ { "Path": "/api/**", "Policy": "p" } ],
              "Policies": { "p": { "Delay": { "BaseMs": 0, "MaxMs": 3000 },
                "Limits": [ { "Name": "paced", "Key": "ip", "Rate": "60/min", "Burst": 2, "Algorithm": "gcra", "OnLimit": "delay" } ] } } }
            """);
        Assert.Equal(DecisionAction.Allow, (await engine.Decide(Request())).Action);
        Assert.Equal(DecisionAction.Allow, (await engine.Decide(Request())).Action);
        var delays = new List<TimeSpan>();
        for (var i = 0; i < 3; i++)
        {
            var d = await engine.Decide(Request());
            Assert.Equal(DecisionAction.Delay, d.Action);
            Assert.Equal(ReasonCodes.RateLimited, d.ReasonCode);
            delays.Add(d.Delay);
        }

        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(3)], delays);
        var refused = await engine.Decide(Request());
        Assert.Equal(429, refused.StatusCode);
    }

    [Fact]
    public async Task Body_field_key_limits_per_phone_number_and_skips_requests_without_it()
    {
        var engine = NewEngine("""
            { "Routes": [ { "Path": "/api/otp/send", "Policy": "otp" } ],
              "Policies": { "otp": { "Limits": [ { "Name": "otp-phone", "Key": "body:phone", "Rate": "3/h", "Algorithm": "sliding_window" } ] } } }
            """);
        for (var i = 0; i < 3; i++)
        {
            // Each from a different address: the phone number is what is limited.
            Assert.Equal(DecisionAction.Allow, (await engine.Decide(Request("POST", "/api/otp/send", ip: $"198.51.100.{i + 1}", body: """{"phone":"+15555550100"}"""))).Action);
        }

        Assert.Equal(429, (await engine.Decide(Request("POST", "/api/otp/send", ip: "198.51.100.200", body: """{"phone":"+15555550100"}"""))).StatusCode);
        Assert.Equal(DecisionAction.Allow, (await engine.Decide(Request("POST", "/api/otp/send", body: """{"phone":"+15555550101"}"""))).Action);
        var noPhone = await engine.Decide(Request("POST", "/api/otp/send", body: """{"email":"a@b.c"}"""));
        Assert.Equal(DecisionAction.Allow, noPhone.Action);
        Assert.Empty(noPhone.Limits);
    }

    [Fact]
    public async Task Combined_key_counts_each_combination_separately()
    {
        var engine = NewEngine("""
            { "Routes": [ { "Path": "/api/**", "Policy": "p" } ],
              "Policies": { "p": { "Limits": [ { "Name": "acct-ip", "Key": "account+ip", "Rate": "1/min" } ] } } }
            """);
        Assert.Equal(DecisionAction.Allow, (await engine.Decide(Request(account: "a"))).Action);
        Assert.Equal(DecisionAction.Allow, (await engine.Decide(Request(account: "b"))).Action);
        Assert.Equal(DecisionAction.Allow, (await engine.Decide(Request(account: "a", ip: "198.51.100.1"))).Action);
        Assert.Equal(429, (await engine.Decide(Request(account: "a"))).StatusCode);
    }

    [Fact]
    public async Task A_refused_request_spends_from_none_of_its_limits()
    {
        var engine = NewEngine("""
            { "Routes": [ { "Path": "/api/**", "Policy": "p" } ],
              "Policies": { "p": { "Limits": [
                { "Name": "per-ip", "Key": "ip", "Rate": "100/day" },
                { "Name": "global", "Key": "global", "Rate": "2/min" } ] } } }
            """);
        await engine.Decide(Request());
        await engine.Decide(Request());
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(429, (await engine.Decide(Request())).StatusCode);
        }

        var next = await engine.Decide(Request(at: T0.AddSeconds(30)));
        Assert.Equal(DecisionAction.Allow, next.Action);
        Assert.Equal(97, next.Limits.Single(l => l.Name == "per-ip").Remaining); // 92 if the refused five had spent
    }

    [Theory]
    [InlineData("open", DecisionAction.Allow, 200)]
    [InlineData("closed", DecisionAction.Block, 503)]
    public async Task A_failing_store_degrades_to_the_fail_mode(string failMode, DecisionAction action, int status)
    {
        var engine = NewEngine($$"""
            { "Routes": [ { "Path": "/api/**", "Policy": "p" } ],
              "Policies": { "p": { "FailMode": "{{failMode}}", "Limits": [ { "Name": "ip", "Key": "ip", "Rate": "1/min" } ] } } }
            """, store: new FailingStore());
        var decision = await engine.Decide(Request());
        Assert.Equal(action, decision.Action);
        Assert.Equal(status, decision.StatusCode);
        Assert.Contains(decision.Reasons, r => r.Signal == "store_unavailable");
    }

    [Fact]
    public async Task Fail_open_with_a_fallback_store_enforces_this_gateways_share_of_each_limit_locally()
    {
        var options = Options("""
            { "Routes": [ { "Path": "/api/**", "Policy": "p" } ],
              "Policies": { "p": { "Limits": [
                { "Name": "ip", "Key": "ip", "Rate": "10/min" },
                { "Name": "inflight", "Key": "ip", "Rate": "2/min", "Algorithm": "concurrency" } ] } } }
            """);
        var local = new InMemoryCounterStore(10_000);
        var engine = new BulwarkEngine(options, new FailingStore(), detectors: [], fallbackStore: local, fallbackShare: 0.5);

        var first = Request();
        var d1 = await engine.Decide(first);
        Assert.Equal(DecisionAction.Allow, d1.Action);
        Assert.Contains(d1.Reasons, r => r.Signal == "store_unavailable" && r.Detail.Contains("50", StringComparison.Ordinal));
        Assert.Equal(5, d1.Limits[0].Quota); // half of 10/min

        // One lease of the local ceiling of 1 (half of 2) is taken: the next request is refused until feedback returns it.
        Assert.Equal(429, (await engine.Decide(Request())).StatusCode);
        await engine.Feedback(d1, first, 200, TimeSpan.Zero);
        var allowed = 1;
        for (var i = 0; i < 10; i++)
        {
            var request = Request();
            var decision = await engine.Decide(request);
            if (decision.Action == DecisionAction.Allow)
            {
                allowed++;
                await engine.Feedback(decision, request, 200, TimeSpan.Zero);
            }
        }

        Assert.Equal(5, allowed);
    }

    [Fact]
    public async Task An_asynchronous_store_gives_the_same_decisions()
    {
        var engine = NewEngine(LoginPolicy, store: new AsyncStore(new InMemoryCounterStore(10_000)));
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(DecisionAction.Allow, (await engine.Decide(Request("POST", "/login"))).Action);
        }

        Assert.Equal(429, (await engine.Decide(Request("POST", "/login"))).StatusCode);
    }

    [Fact]
    public async Task Reload_swaps_the_policy_and_keeps_counters_of_unchanged_limits()
    {
        var engine = NewEngine(LoginPolicy);
        for (var i = 0; i < 5; i++)
        {
            await engine.Decide(Request("POST", "/login"));
        }

        engine.Reload(Options(LoginPolicy.Replace("\"Burst\": 5", "\"Burst\": 6", StringComparison.Ordinal)));
        Assert.Equal(DecisionAction.Allow, (await engine.Decide(Request("POST", "/login"))).Action);
        Assert.Equal(429, (await engine.Decide(Request("POST", "/login"))).StatusCode);

        engine.Reload(Options("""{ "Routes": [], "Policies": {} }"""));
        Assert.Same(Decision.NotCovered, await engine.Decide(Request("POST", "/login")));
    }

    [Fact]
    public async Task A_throwing_detector_is_skipped_not_fatal()
    {
        var engine = NewEngine(
            """{ "Routes": [ { "Path": "/api/**", "Policy": "p" } ], "Policies": { "p": { } } }""",
            detectors: [new ThrowingDetector(), new FixedSignalDetector("after", 5)]);
        var decision = await engine.Decide(Request());
        Assert.Equal(DecisionAction.Allow, decision.Action);
        Assert.Equal(5, decision.Score);
    }

    [Fact]
    public async Task Decision_ids_are_unique()
    {
        var engine = NewEngine("""{ "Routes": [ { "Path": "/api/**", "Policy": "p" } ], "Policies": { "p": { } } }""");
        var ids = new HashSet<string>();
        for (var i = 0; i < 10_000; i++)
        {
            Assert.True(ids.Add((await engine.Decide(Request())).Id));
        }

        Assert.All(ids, id => Assert.Matches("^[0-9a-f]{16}$", id));
    }

    private sealed class ThrowingDetector : Pipeline.IDetector
    {
        public void Detect(RequestContext request, Pipeline.EvaluationContext context) => throw new InvalidOperationException("boom");
    }

    private sealed class FailingStore : ICounterStore
    {
        public ValueTask ApplyAsync(ReadOnlyMemory<CounterOperation> operations, Memory<CounterResult> results, long nowTicks, CancellationToken cancellationToken = default) =>
            ValueTask.FromException(new IOException("store down"));
    }

    private sealed class AsyncStore(InMemoryCounterStore inner) : ICounterStore
    {
        public async ValueTask ApplyAsync(ReadOnlyMemory<CounterOperation> operations, Memory<CounterResult> results, long nowTicks, CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            inner.Apply(operations.Span, results.Span, nowTicks);
        }
    }
}
