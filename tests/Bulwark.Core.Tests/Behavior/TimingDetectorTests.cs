using Bulwark.Core.Behavior;
using Bulwark.Core.Tests.Data;
using static Bulwark.Core.Tests.Behavior.BehaviorKit;
using static Bulwark.Core.Tests.Engine.EngineFixture;

namespace Bulwark.Core.Tests.Behavior;

public class TimingDetectorTests
{
    private const string Config = """{ "Routes": [ { "Path": "/api/**", "Policy": "p" } ], "Policies": { "p": { } } }""";

    [Fact]
    public void A_metronome_client_is_flagged_regular()
    {
        var engine = new BulwarkEngine(Options(Config));
        var flagged = 0;
        for (var i = 0; i < 20; i++)
        {
            var decision = Run(engine, Script("GET", "/api/search", "198.51.100.7", T0.AddSeconds(2.0 * i), ChromeJa4));
            if (Has(decision, BehaviorSignals.TimingRegular))
            {
                flagged++;
                Assert.Contains("intervals of 2 s", decision.Reasons.First(r => r.Signal == BehaviorSignals.TimingRegular).Detail, StringComparison.Ordinal);
            }
        }

        // From the 7th request on (6 intervals), every one.
        Assert.Equal(14, flagged);
    }

    [Fact]
    public void Jitter_of_a_few_percent_does_not_hide_a_metronome()
    {
        var engine = new BulwarkEngine(Options(Config));
        var random = new Random(7);
        var at = T0;
        var last = default(Core.Decisions.Decision);
        for (var i = 0; i < 12; i++)
        {
            at = at.AddSeconds(1.0 + (random.NextDouble() * 0.1));
            last = Run(engine, Script("GET", "/api/search", "198.51.100.7", at, ChromeJa4));
        }

        Assert.True(Has(last!, BehaviorSignals.TimingRegular));
    }

    [Fact]
    public void Eight_requests_to_one_route_within_a_second_are_a_burst()
    {
        var engine = new BulwarkEngine(Options(Config));
        Core.Decisions.Decision? last = null;
        for (var i = 0; i < 8; i++)
        {
            last = Run(engine, Script("GET", "/api/products/" + (i * 97), "198.51.100.7", T0.AddMilliseconds(100 * i), ChromeJa4));
            Assert.Equal(i == 7, Has(last, BehaviorSignals.TimingBurst));
        }

        Assert.Contains("8 requests to this route within 1000 ms", last!.Reasons.First(r => r.Signal == BehaviorSignals.TimingBurst).Detail, StringComparison.Ordinal);
    }

    [DataFact(UserAgentsFile)]
    public void People_with_log_normal_think_times_are_never_flagged()
    {
        var engine = new BulwarkEngine(Options(Config));
        var random = new Random(11);
        var routes = new[] { "/api/search", "/api/products/{0}", "/api/cart/items", "/api/account" };
        var flagged = 0;
        var total = 0;
        for (var user = 0; user < 500; user++)
        {
            var agent = Agents[random.Next(Agents.Length)];
            var ip = $"10.{user / 250}.{user % 250}.{random.Next(1, 250)}";
            var at = T0.AddSeconds(random.Next(0, 3600));
            for (var step = 0; step < 25; step++)
            {
                at = at.AddSeconds(ThinkSeconds(random));
                var path = string.Format(System.Globalization.CultureInfo.InvariantCulture, routes[random.Next(routes.Length)], random.Next(1, 50_000));
                var decision = Run(engine, Browser("GET", path, ip, at, agent, session: "s" + user));
                total++;
                if (Has(decision, BehaviorSignals.TimingRegular) || Has(decision, BehaviorSignals.TimingBurst))
                {
                    flagged++;
                }
            }
        }

        Assert.Equal(12_500, total);
        Assert.Equal(0, flagged);
    }

    [Fact]
    public void Api_key_clients_are_exempt_by_default_and_can_be_included()
    {
        var exempt = new BulwarkEngine(Options(Config));
        var included = new BulwarkEngine(Options("""{ "Routes": [ { "Path": "/api/**", "Policy": "p" } ], "Policies": { "p": { "Behavior": { "Timing": { "SkipApiKeys": false } } } } }"""));
        bool exemptFlagged = false, includedFlagged = false;
        for (var i = 0; i < 10; i++)
        {
            exemptFlagged |= Has(Run(exempt, Script("GET", "/api/search", "198.51.100.7", T0.AddSeconds(5 * i), ChromeJa4, apiKey: "k1")), BehaviorSignals.TimingRegular);
            includedFlagged |= Has(Run(included, Script("GET", "/api/search", "198.51.100.7", T0.AddSeconds(5 * i), ChromeJa4, apiKey: "k1")), BehaviorSignals.TimingRegular);
        }

        Assert.False(exemptFlagged);
        Assert.True(includedFlagged);
    }
}
