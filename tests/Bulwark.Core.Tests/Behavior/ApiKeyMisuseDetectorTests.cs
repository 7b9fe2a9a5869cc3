using Bulwark.Core.Behavior;
using Bulwark.Core.Pipeline;
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

    private sealed class CountryByAddress : IEnricher
    {
        public string? Country { get; set; }

        public void Enrich(RequestContext request, EvaluationContext context) => context.Country = Country;
    }
}
