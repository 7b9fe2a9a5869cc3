using Bulwark.Core.Decisions;

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
}
