using System.Net;
using Bulwark.Core.Decisions;
using Bulwark.Core.Intel;
using Bulwark.Core.Pipeline;
using Bulwark.Core.Policy;
using static Bulwark.Core.Tests.Engine.EngineFixture;

namespace Bulwark.Core.Tests.Intel;

public class NetworkSignalTests
{
    private const string Residential = "198.51.100.10";
    private const string Hosting = "203.0.113.10";
    private const string Partner = "203.0.113.99";
    private const string Tor = "192.0.2.10";
    private const string Vpn = "192.0.2.20";
    private const string Proxy = "192.0.2.30";
    private const string Mobile = "100.64.10.10";
    private const string Berlin = "198.51.100.50";
    private const string Sydney = "198.51.100.60";
    private const string Potsdam = "198.51.100.70";

    private static readonly FakeLookup Lookup = new(new Dictionary<string, IpInfo>
    {
        [Residential] = new() { Asn = 3320, Organisation = "Telekom", Country = "DE", Kinds = NetworkKind.Residential },
        [Hosting] = new() { Asn = 16509, Organisation = "Amazon", Country = "US", Kinds = NetworkKind.Hosting },
        [Partner] = new() { Asn = 64500, Organisation = "Partner Cloud", Country = "US", Kinds = NetworkKind.Hosting },
        [Tor] = new() { Asn = 60729, Country = "NL", Kinds = NetworkKind.Tor | NetworkKind.Hosting },
        [Vpn] = new() { Asn = 9009, Country = "GB", Kinds = NetworkKind.Vpn, HasLocation = true, Latitude = -33.87, Longitude = 151.21, AccuracyRadiusKm = 10 },
        [Proxy] = new() { Asn = 4134, Country = "CN", Kinds = NetworkKind.Proxy },
        [Mobile] = new() { Asn = 26599, Country = "BR", Kinds = NetworkKind.Mobile },
        [Berlin] = new() { Asn = 3320, Country = "DE", Kinds = NetworkKind.Residential, HasLocation = true, Latitude = 52.52, Longitude = 13.40, AccuracyRadiusKm = 20 },
        [Sydney] = new() { Asn = 1221, Country = "AU", Kinds = NetworkKind.Residential, HasLocation = true, Latitude = -33.87, Longitude = 151.21, AccuracyRadiusKm = 20 },
        [Potsdam] = new() { Asn = 3320, Country = "DE", Kinds = NetworkKind.Residential, HasLocation = true, Latitude = 52.39, Longitude = 13.06, AccuracyRadiusKm = 20 },
    });

    private const string Policy = """
        {
          "IpIntel": { "PartnerAsns": ["AS64500"], "AsnScores": { "AS4134": 40 },
                       "KeyCountries": { "sk_plain": ["DE"], "sha256-442e15ecc04731c450b22d943868011d8a0eebc54080c2701b7e1c0b7f0ad527": ["US", "DE"] } },
          "Routes": [ { "Path": "/login", "Policy": "login" }, { "Path": "/shop/**", "Policy": "shop" }, { "Path": "/api/**", "Policy": "api" } ],
          "Policies": {
            "login": { "Consumer": true, "Countries": { "Deny": ["CN"] }, "Limits": [
              { "Name": "login-ip", "Key": "ip", "Rate": "60/min",
                "Tiers": [ { "When": "tor", "Rate": "0/min" }, { "When": "hosting", "Rate": "5/min" }, { "When": "vpn", "Rate": "5/min" } ] },
              { "Name": "login-account", "Key": "account", "Rate": "3/min" } ] },
            "shop": { "Consumer": true, "StepUp": true, "Thresholds": { "Delay": 20, "Challenge": 60, "Block": 85 } },
            "api": { "Countries": { "Allow": ["DE", "US"] }, "Thresholds": { "Delay": 30, "Challenge": 60, "Block": 85 } }
          }
        }
        """;

    private static BulwarkEngine Engine()
    {
        var options = Options(Policy);
        return new BulwarkEngine(
            options,
            enrichers: [new IpIntelEnricher(Lookup, options.IpIntel)],
            detectors: [new NetworkDetector(options.IpIntel), new ImpossibleTravelDetector(options.IpIntel.ImpossibleTravel)]);
    }

    private static async Task<int> Allowed(BulwarkEngine engine, string ip, int attempts, string path = "/login")
    {
        var allowed = 0;
        for (var i = 0; i < attempts; i++)
        {
            if ((await engine.Decide(Request("POST", path, ip: ip))).Action == DecisionAction.Allow)
            {
                allowed++;
            }
        }

        return allowed;
    }

    [Fact]
    public async Task Limits_depend_on_the_network_kind()
    {
        var engine = Engine();
        Assert.Equal(60, await Allowed(engine, Residential, 100));
        Assert.Equal(5, await Allowed(engine, Hosting, 100));
        Assert.Equal(0, await Allowed(engine, Tor, 10));
        Assert.Equal(5, await Allowed(engine, Vpn, 100));
    }

    [Fact]
    public async Task A_partner_asn_skips_the_hosting_penalty()
    {
        var engine = Engine();
        Assert.Equal(60, await Allowed(engine, Partner, 100));
        var decision = await engine.Decide(Request("POST", "/login", ip: Partner, at: T0.AddHours(1)));
        Assert.Contains("partner", decision.Tiers);
        Assert.DoesNotContain("hosting", decision.Tiers);
        Assert.DoesNotContain(decision.Reasons, r => r.Signal == "hosting_network");
        Assert.Equal(64500, decision.Actor.Asn);
    }

    [Fact]
    public async Task Mobile_carrier_addresses_are_never_refused_on_their_own_volume()
    {
        var engine = Engine();
        Assert.Equal(500, await Allowed(engine, Mobile, 500));

        // Limits on other dimensions still hold: one account from that address is limited as anywhere else.
        var refusals = 0;
        for (var i = 0; i < 5; i++)
        {
            if ((await engine.Decide(Request("POST", "/login", ip: Mobile, account: "victim@example.com"))).StatusCode == 429)
            {
                refusals++;
            }
        }

        Assert.Equal(2, refusals);
    }

    [Theory]
    [InlineData(Tor, "tor_exit", 45)]
    [InlineData(Vpn, "vpn", 15)]
    [InlineData(Hosting, "hosting_network", 25)]
    [InlineData(Proxy, "open_proxy", 35)]
    [InlineData(Proxy, "asn_reputation", 40)]
    [InlineData(Proxy, "country_not_allowed", 70)]
    public async Task Network_signals_fire_with_their_weights(string ip, string signal, int weight)
    {
        var decision = await Engine().Decide(Request("POST", "/login", ip: ip));
        Assert.Contains(decision.Reasons, r => r.Signal == signal && r.Weight == weight);
    }

    [Fact]
    public async Task An_asn_that_keeps_getting_refused_is_learned_and_forgotten_after_an_hour()
    {
        var engine = Engine();
        for (var i = 0; i < NetworkDetector.AbuseThreshold; i++)
        {
            var request = Request("POST", "/login", ip: Tor, at: T0.AddSeconds(i));
            var decision = await engine.Decide(request);
            Assert.Equal(DecisionAction.Block, decision.Action);
            Assert.DoesNotContain(decision.Reasons, r => r.Signal == "asn_abuse_seen");
            await engine.Feedback(decision, request, 0, TimeSpan.Zero);
        }

        var next = await engine.Decide(Request("GET", "/api/x", ip: Tor, at: T0.AddMinutes(5)));
        Assert.Contains(next.Reasons, r => r.Signal == "asn_abuse_seen" && r.Weight == 20);
        var later = await engine.Decide(Request("GET", "/api/x", ip: Tor, at: T0.AddHours(3)));
        Assert.DoesNotContain(later.Reasons, r => r.Signal == "asn_abuse_seen");
    }

    [Fact]
    public async Task Hosting_is_only_suspicious_on_consumer_routes_and_country_allow_lists_refuse_the_rest()
    {
        var engine = Engine();
        var api = await engine.Decide(Request("GET", "/api/x", ip: Hosting));
        Assert.DoesNotContain(api.Reasons, r => r.Signal == "hosting_network");
        Assert.DoesNotContain(api.Reasons, r => r.Signal == "country_not_allowed"); // US is allowed
        var au = await engine.Decide(Request("GET", "/api/x", ip: Sydney));
        Assert.Contains(au.Reasons, r => r.Signal == "country_not_allowed");
        Assert.Equal(DecisionAction.Challenge, au.Action);
    }

    [Fact]
    public async Task An_api_key_used_from_a_country_it_is_not_allowed_in_raises_a_signal()
    {
        var engine = Engine();
        Assert.DoesNotContain((await engine.Decide(Request("GET", "/shop/x", ip: Residential, apiKey: "sk_plain"))).Reasons, r => r.Signal == "country_not_allowed");
        Assert.Contains((await engine.Decide(Request("GET", "/shop/x", ip: Hosting, apiKey: "sk_plain"))).Reasons, r => r.Signal == "country_not_allowed");
        Assert.DoesNotContain((await engine.Decide(Request("GET", "/shop/x", ip: Hosting, apiKey: "sk_partner"))).Reasons, r => r.Signal == "country_not_allowed");
        Assert.Contains((await engine.Decide(Request("GET", "/shop/x", ip: Sydney, apiKey: "sk_partner"))).Reasons, r => r.Signal == "country_not_allowed");
        Assert.DoesNotContain((await engine.Decide(Request("GET", "/shop/x", ip: Sydney, apiKey: "sk_other"))).Reasons, r => r.Signal == "country_not_allowed");
    }

    [Fact]
    public async Task Step_up_passes_a_hosting_request_on_instead_of_holding_it_up()
    {
        var engine = Engine();
        var decision = await engine.Decide(Request("GET", "/shop/cart", ip: Hosting));
        Assert.Equal(25, decision.Score); // would be a delay
        Assert.Equal(DecisionAction.Allow, decision.Action);
        Assert.True(decision.StepUp);
        Assert.Equal(ReasonCodes.StepUp, decision.ReasonCode);

        var residential = await engine.Decide(Request("GET", "/shop/cart", ip: Residential));
        Assert.False(residential.StepUp);
    }

    [Fact]
    public async Task Impossible_travel_fires_for_an_account_that_moves_faster_than_a_plane()
    {
        var engine = Engine();
        await engine.Decide(Request("POST", "/login", ip: Berlin, account: "alice@example.com"));
        var sydney = await engine.Decide(Request("POST", "/login", ip: Sydney, account: "Alice@example.com", at: T0.AddHours(2)));
        var reason = Assert.Single(sydney.Reasons, r => r.Signal == "impossible_travel");
        Assert.Equal(50, reason.Weight);
        Assert.DoesNotContain("alice", reason.Detail, StringComparison.OrdinalIgnoreCase);

        // A day later the same trip is possible; a short hop (Berlin → Potsdam, 25 km) never fires.
        var later = await engine.Decide(Request("POST", "/login", ip: Berlin, account: "alice@example.com", at: T0.AddHours(26)));
        Assert.DoesNotContain(later.Reasons, r => r.Signal == "impossible_travel");
        var hop = await engine.Decide(Request("POST", "/login", ip: Potsdam, account: "alice@example.com", at: T0.AddHours(26).AddMinutes(1)));
        Assert.DoesNotContain(hop.Reasons, r => r.Signal == "impossible_travel");
    }

    [Fact]
    public async Task A_vpn_address_is_not_a_location()
    {
        var engine = Engine();
        await engine.Decide(Request("POST", "/login", ip: Berlin, account: "bob"));
        var viaVpn = await engine.Decide(Request("POST", "/login", ip: Vpn, account: "bob", at: T0.AddMinutes(30)));
        Assert.DoesNotContain(viaVpn.Reasons, r => r.Signal == "impossible_travel");
        var back = await engine.Decide(Request("POST", "/login", ip: Berlin, account: "bob", at: T0.AddMinutes(40)));
        Assert.DoesNotContain(back.Reasons, r => r.Signal == "impossible_travel");
    }

    [Fact]
    public void Impossible_travel_memory_is_bounded()
    {
        var detector = new ImpossibleTravelDetector(new ImpossibleTravelOptions { MaxTracked = 1_000 });
        var options = Options("""{ "Routes": [ { "Path": "/login", "Policy": "p" } ], "Policies": { "p": { } } }""");
        var policy = CompiledConfiguration.Compile(options).Policies["p"];
        for (var i = 0; i < 50_000; i++)
        {
            var context = new EvaluationContext(policy, null) { Network = new IpInfo { HasLocation = true, Latitude = 1, Longitude = 1 } };
            detector.Detect(Request("POST", "/login", account: "user" + i), context);
        }

        Assert.InRange(detector.Tracked, 1, 1_000);
    }

    [Fact]
    public void Distances_are_great_circle()
    {
        Assert.InRange(ImpossibleTravelDetector.DistanceKm(52.52, 13.40, -33.87, 151.21), 16_000, 16_100); // Berlin–Sydney
        Assert.Equal(0, ImpossibleTravelDetector.DistanceKm(10, 10, 10, 10), 6);
    }

    [Fact]
    public void Intel_settings_are_validated()
    {
        var loaded = BulwarkConfigLoader.LoadJson("""
            { "Bulwark": {
              "IpIntel": { "PartnerAsns": ["ASX"], "AsnScores": { "AS1": 140, "bogus": 5 }, "ImpossibleTravel": { "SpeedKmh": 0 } },
              "Policies": { "p": { "Consumer": "yes", "Countries": { "Allow": ["Germany"] } } } } }
            """);
        var paths = loaded.Errors.Select(e => e.Path).ToArray();
        Assert.Contains("$.Bulwark.IpIntel.PartnerAsns[0]", paths);
        Assert.Contains("$.Bulwark.IpIntel.AsnScores.AS1", paths);
        Assert.Contains("$.Bulwark.IpIntel.AsnScores.bogus", paths);
        Assert.Contains("$.Bulwark.IpIntel.ImpossibleTravel.SpeedKmh", paths);
        Assert.Contains("$.Bulwark.Policies.p.Consumer", paths);
        Assert.Contains("$.Bulwark.Policies.p.Countries.Allow[0]", paths);
    }

    private sealed class FakeLookup(Dictionary<string, IpInfo> table) : IIpIntelLookup
    {
        public IReadOnlyList<string> Sources { get; } = ["test"];

        public IpInfo Lookup(IPAddress address) => table.GetValueOrDefault(address.ToString());
    }
}
