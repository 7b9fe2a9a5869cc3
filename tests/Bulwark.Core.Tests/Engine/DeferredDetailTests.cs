using Bulwark.Core.Decisions;
using static Bulwark.Core.Tests.Engine.EngineFixture;

namespace Bulwark.Core.Tests.Engine;

public class DeferredDetailTests
{
    private sealed class Counting(string text) : DeferredDetail
    {
        public int Calls { get; private set; }

        public override string Format()
        {
            Calls++;
            return text;
        }
    }

    [Fact]
    public void Detail_is_formatted_once_and_only_when_read()
    {
        var detail = new Counting("3 intervals of 1 s");
        var reason = new DecisionReason("timing_regular", 30, detail);
        Assert.Equal(0, detail.Calls);
        Assert.Equal("3 intervals of 1 s", reason.Detail);
        Assert.Equal("3 intervals of 1 s", reason.Detail);
        Assert.Equal(1, detail.Calls);
    }

    [Fact]
    public void A_deferred_reason_equals_the_formatted_one()
    {
        var deferred = new DecisionReason("timing_regular", 30, new Counting("x"));
        var formatted = new DecisionReason("timing_regular", 30, "x");
        Assert.Equal(formatted, deferred);
        Assert.Equal(formatted.GetHashCode(), deferred.GetHashCode());
        Assert.NotEqual(formatted, new DecisionReason("timing_regular", 30, "y"));
        Assert.Equal("DecisionReason { Signal = timing_regular, Weight = 30, Detail = x }", deferred.ToString());
        var (signal, weight, text) = deferred;
        Assert.Equal(("timing_regular", 30, "x"), (signal, weight, text));
    }

    [Fact]
    public async Task Limit_reasons_read_as_they_always_did()
    {
        var engine = NewEngine("""
            { "Routes": [ { "Path": "/api/held", "Policy": "held" }, { "Path": "/api/**", "Policy": "p" } ],
              "Policies": {
                "held": { "Delay": { "MaxMs": 5000 }, "Limits": [ { "Name": "slow", "Key": "ip", "Rate": "1/s", "Burst": 1, "OnLimit": "delay" } ] },
                "p": { "Limits": [ { "Name": "k", "Key": "ip+route", "Rate": "1/min" } ] } } }
            """);
        await engine.Decide(Request(path: "/api/held"));
        var held = await engine.Decide(Request(path: "/api/held"));
        Assert.Equal(DecisionAction.Delay, held.Action);
        Assert.Equal("limit 'slow' (1/s by ip) over its rate; held 1000 ms", Assert.Single(held.Reasons, r => r.Signal == "rate_limit_delay").Detail);

        await engine.Decide(Request());
        var refused = await engine.Decide(Request(at: T0.AddSeconds(15)));
        Assert.Equal(DecisionAction.Block, refused.Action);
        Assert.Equal("limit 'k' (1/min by ip+route) exceeded; retry in 45 s", Assert.Single(refused.Reasons, r => r.Signal == "rate_limit").Detail);
    }
}
