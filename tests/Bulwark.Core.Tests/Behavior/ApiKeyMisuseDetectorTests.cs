using Bulwark.Core.Behavior;
using Bulwark.Core.Decisions;
using Bulwark.Core.Pipeline;
using Bulwark.Core.Tests.Data;
using static Bulwark.Core.Tests.Behavior.BehaviorKit;
using static Bulwark.Core.Tests.Engine.EngineFixture;

namespace Bulwark.Core.Tests.Behavior;

public class ApiKeyMisuseDetectorTests
{
    private const string Config = """{ "Routes": [ { "Path": "/api/**", "Policy": "api" } ], "Policies": { "api": { } } }""";

    /// <summary>An hour of a key used the usual way: <paramref name="requests"/> requests from two servers, all answered 200.</summary>
    private static int UsualHour(BulwarkEngine engine, DateTimeOffset start, int requests, Random random)
    {
        var flagged = 0;
        for (var i = 0; i < requests; i++)
        {
            var decision = Run(engine, Script("GET", "/api/products/" + random.Next(1, 50_000), i % 2 == 0 ? "192.0.2.10" : "192.0.2.11",
                start.AddSeconds(3600.0 * i / requests), LibraryJa4, apiKey: "sk_live_1"));
            flagged += decision.Reasons.Count(r => r.Signal.StartsWith("apikey_", StringComparison.Ordinal));
        }

        return flagged;
    }

    [Fact]
    public void A_steady_key_is_never_flagged()
    {
        var engine = new BulwarkEngine(Options(Config));
        var random = new Random(1);
        var flagged = 0;
        for (var hour = 0; hour < 24; hour++)
        {
            flagged += UsualHour(engine, T0.AddHours(hour), 60 + random.Next(0, 60), random);
        }

        Assert.Equal(0, flagged);
    }

    [Fact]
    public void Four_times_the_usual_volume_from_new_addresses_with_errors_is_flagged()
    {
        var engine = new BulwarkEngine(Options(Config));
        var random = new Random(2);
        for (var hour = 0; hour < 3; hour++)
        {
            UsualHour(engine, T0.AddHours(hour), 100, random);
        }

        var rate = false;
        var ips = false;
        var errors = false;
        var start = T0.AddHours(3);
        for (var i = 0; i < 400; i++)
        {
            var decision = Run(engine, Script("GET", "/api/users/" + random.Next(1, 1_000_000), $"198.51.{i % 50}.7", start.AddSeconds(9.0 * i), LibraryJa4, apiKey: "sk_live_1"),
                status: i % 3 == 0 ? 200 : 404);
            rate |= Has(decision, BehaviorSignals.ApiKeyRate);
            ips |= Has(decision, BehaviorSignals.ApiKeyNewIps);
            errors |= Has(decision, BehaviorSignals.ApiKeyErrors);
            Assert.DoesNotContain(decision.Reasons, r => r.Detail.Contains("sk_live", StringComparison.Ordinal));
        }

        Assert.True(rate);
        Assert.True(ips);
        Assert.True(errors);
    }

    [Fact]
    public void New_countries_are_flagged_when_ip_intelligence_knows_them()
    {
        var countries = new[] { "DE", "DE", "BR", "VN", "NG", "RU", "ID" };
        var enricher = new CountryByAddress();
        var engine = new BulwarkEngine(Options(Config), enrichers: [enricher]);
        var random = new Random(3);
        enricher.Country = "DE";
        UsualHour(engine, T0, 100, random);
        var flagged = false;
        for (var i = 0; i < countries.Length * 3; i++)
        {
            enricher.Country = countries[i % countries.Length];
            flagged |= Has(Run(engine, Script("GET", "/api/x", "192.0.2.10", T0.AddHours(1).AddMinutes(i), LibraryJa4, apiKey: "sk_live_1")), BehaviorSignals.ApiKeyNewCountries);
        }

        Assert.True(flagged);
    }

    [Fact]
    public void Countries_are_known_exactly_up_to_eight_then_a_ninth_is_not_news()
    {
        var key = default(ApiKeyMisuseDetector.KeyState);
        string[] countries = ["DE", "BR", "VN", "NG", "RU", "ID", "us", "XK"];
        foreach (var country in countries)
        {
            key.Learn(1, country);
            Assert.True(key.NewCountry, country);
            key.Learn(1, country.ToUpperInvariant());
            Assert.False(key.NewCountry, country);
        }

        key.Learn(1, "FR");
        Assert.False(key.NewCountry);
        key.Learn(1, null);
        Assert.False(key.NewCountry);
    }

    private const string SyncAgent = "acme-catalog-sync/3.4.1 Go-http-client/2.0";

    // python-requests' JA4 as the million-address test captured it (docs/behavior.md).
    private const string PythonJa4 = "t13i1811h1_85036bcba153_b26ce05bbdd6";

    /// <summary>A partner's sync: one request every 1–3 s from its server, the same client, from <paramref name="from"/> for <paramref name="minutes"/>.</summary>
    private static IEnumerable<RequestContext> Sync(DateTimeOffset from, double minutes, Random random, string ip = "192.0.2.10", string agent = SyncAgent, string ja4 = LibraryJa4)
    {
        for (var at = from; at < from.AddMinutes(minutes); at = at.AddSeconds(1 + (2 * random.NextDouble())))
        {
            yield return Script("GET", "/api/products/" + random.Next(1, 50_000), ip, at, ja4, agent, apiKey: "pk_live_acme");
        }
    }

    private static int Flagged(BulwarkEngine engine, IEnumerable<RequestContext> requests) =>
        requests.Count(r => Has(Run(engine, r), BehaviorSignals.ApiKeyNewSource));

    [Fact]
    public void A_server_key_used_from_a_new_network_and_client_while_its_owner_is_active_is_challenged()
    {
        var engine = new BulwarkEngine(Options(Config));
        var random = new Random(4);
        Assert.Equal(0, Flagged(engine, Sync(T0, 20, random)));

        // From minute 20 the owner goes on syncing while someone else uses the key with python-requests, hopping networks
        // every half minute or so, reading user records.
        var owner = Sync(T0.AddMinutes(20), 15, random).ToList();
        var thief = new List<RequestContext>();
        var network = 0;
        for (var at = T0.AddMinutes(20); at < T0.AddMinutes(35); at = at.AddSeconds(0.2 + (random.NextDouble() * 1.1)))
        {
            network += random.Next(40) == 0 ? 1 : 0;
            thief.Add(Script("GET", "/api/users/" + random.Next(1, 1_200), $"198.51.{100 + network}.{7 + (network % 5)}", at, PythonJa4, "python-requests/2.31.0", apiKey: "pk_live_acme"));
        }

        var ownerFlagged = 0;
        var thiefRefused = 0;
        foreach (var request in owner.Concat(thief).OrderBy(r => r.Timestamp))
        {
            var decision = Run(engine, request);
            var flagged = Has(decision, BehaviorSignals.ApiKeyNewSource);
            Assert.DoesNotContain(decision.Reasons, r => r.Detail.Contains("pk_live", StringComparison.Ordinal) || r.Detail.Contains("198.51.", StringComparison.Ordinal));
            if (thief.Contains(request))
            {
                // Flagged, or refused by the ban its flagged requests earned (new source and a burst score a block; repeated blocks ban).
                Assert.True(flagged || decision.ReasonCode == ReasonCodes.Banned,
                    $"the thief's request at {request.Timestamp:HH:mm:ss} passed: {decision.Action} {string.Join("; ", decision.Reasons.Select(r => r.Signal))}");
                thiefRefused += decision.Action is DecisionAction.Challenge or DecisionAction.Block ? 1 : 0;
            }
            else
            {
                ownerFlagged += flagged ? 1 : 0;
                Assert.Equal(DecisionAction.Allow, decision.Action);
            }
        }

        Assert.Equal(0, ownerFlagged);
        Assert.Equal(thief.Count, thiefRefused);
    }

    [Fact]
    public void An_owner_adding_servers_upgrading_its_client_or_moving_is_not_flagged()
    {
        var engine = new BulwarkEngine(Options(Config));
        var random = new Random(5);
        Assert.Equal(0, Flagged(engine, Sync(T0, 30, random)));

        // New servers in another network, same client software: the cluster is known.
        Assert.Equal(0, Flagged(engine, Sync(T0.AddMinutes(30), 10, random, ip: "203.0.113.40")));

        // A client upgrade on the known server (new User-Agent and TLS stack): the subnet is known.
        Assert.Equal(0, Flagged(engine, Sync(T0.AddMinutes(40), 10, random, agent: "acme-catalog-sync/4.0.0 (+okhttp)", ja4: ChromeJa4)));

        // The key moves: its clients fall silent, and 20 minutes later a new network and a new client use it — learned.
        Assert.Equal(0, Flagged(engine, Sync(T0.AddMinutes(70), 10, random, ip: "100.70.3.200", agent: "python-requests/2.32.3", ja4: PythonJa4)));

        // Once learned it stays known, and the old source is still known too.
        Assert.Equal(0, Flagged(engine, Sync(T0.AddMinutes(80), 5, random)));
    }

    [DataFact(UserAgentsFile)]
    public void A_public_key_used_by_browsers_from_everywhere_is_not_flagged()
    {
        // A client-side key (a shop's web front end): people on their own addresses with real browsers and human pauses.
        var engine = new BulwarkEngine(Options(Config));
        var random = new Random(6);
        var requests = new List<RequestContext>();
        for (var person = 0; person < 400; person++)
        {
            var agent = Agents[random.Next(Agents.Length)];
            var ip = $"{random.Next(11, 220)}.{random.Next(256)}.{random.Next(256)}.{random.Next(1, 255)}";
            var at = T0.AddSeconds(random.NextDouble() * 7200);
            for (var step = 0; step < 5; step++)
            {
                requests.Add(Browser("GET", "/api/products/" + random.Next(1, 50_000), ip, at, agent, apiKey: "pk_public_shop"));
                at = at.AddSeconds(ThinkSeconds(random));
            }
        }

        Assert.Equal(0, Flagged(engine, requests.OrderBy(r => r.Timestamp)));
    }

    private sealed class CountryByAddress : IEnricher
    {
        public string? Country { get; set; }

        public void Enrich(RequestContext request, EvaluationContext context) => context.Country = Country;
    }
}
