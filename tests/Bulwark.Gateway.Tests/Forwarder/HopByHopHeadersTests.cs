using Bulwark.Gateway.Forwarder;
using Microsoft.Extensions.Primitives;

namespace Bulwark.Gateway.Tests.Forwarder;

public sealed class HopByHopHeadersTests
{
    [Fact]
    public void Connection_names_only_what_is_not_hop_by_hop_already_and_the_usual_values_allocate_no_set()
    {
        Assert.Null(HopByHopHeaders.NamedByConnection(new StringValues("keep-alive")));
        Assert.Null(HopByHopHeaders.NamedByConnection(new StringValues(["Upgrade", "TE, Proxy-Foo , "])));

        var named = HopByHopHeaders.NamedByConnection(new StringValues(["keep-alive, X-Hop ,,x-other", " close "]));
        Assert.NotNull(named);
        Assert.Contains("x-hop", named!);
        Assert.Contains("X-OTHER", named);
        Assert.Contains("close", named);
        Assert.DoesNotContain("keep-alive", named);
        Assert.Equal(3, named.Count);
    }

    [Theory]
    [InlineData("Connection", true)]
    [InlineData("keep-alive", true)]
    [InlineData("Proxy-Anything", true)]
    [InlineData("transfer-encoding", true)]
    [InlineData("Content-Type", false)]
    [InlineData("Proxy", false)]
    public void Hop_by_hop_names_are_matched_without_regard_to_case(string name, bool hopByHop) =>
        Assert.Equal(hopByHop, HopByHopHeaders.IsHopByHop(name));
}
