using System.Net;
using Bulwark.Core.Net;

namespace Bulwark.Core.Tests.Net;

public class TrustedProxyResolverTests
{
    private static readonly TrustedProxyResolver Resolver =
        new(IpNetworkSet.Parse(["10.0.0.0/8", "192.168.0.0/16", "2001:db8:ffff::/48"]));

    [Theory]
    // An untrusted peer is the client, whatever it claims.
    [InlineData("203.0.113.9", "1.2.3.4", null, "203.0.113.9")]
    [InlineData("203.0.113.9", null, "for=1.2.3.4", "203.0.113.9")]
    [InlineData("203.0.113.9", "10.0.0.1", "for=10.0.0.1", "203.0.113.9")]
    [InlineData("2001:db8:1::5", "1.2.3.4", "for=\"[2001:db8::1]\"", "2001:db8:1::5")]
    // A trusted peer without headers is the client.
    [InlineData("10.0.0.1", null, null, "10.0.0.1")]
    [InlineData("10.0.0.1", "", "", "10.0.0.1")]
    // One and two trusted proxies.
    [InlineData("10.0.0.1", "198.51.100.7", null, "198.51.100.7")]
    [InlineData("10.0.0.2", "198.51.100.7, 10.0.0.1", null, "198.51.100.7")]
    [InlineData("10.0.0.2", "198.51.100.7, 192.168.4.4", null, "198.51.100.7")]
    // Entries left of the first untrusted hop are the client's own inventions.
    [InlineData("10.0.0.2", "6.6.6.6, 198.51.100.7, 10.0.0.1", null, "198.51.100.7")]
    [InlineData("10.0.0.2", "10.9.9.9, 198.51.100.7, 10.0.0.1", null, "198.51.100.7")]
    [InlineData("10.0.0.2", "garbage, 198.51.100.7, 10.0.0.1", null, "198.51.100.7")]
    // All hops trusted: the leftmost is the client.
    [InlineData("10.0.0.1", "10.0.0.5, 192.168.1.1", null, "10.0.0.5")]
    [InlineData("10.0.0.1", null, "for=10.0.0.5, for=192.168.1.1", "10.0.0.5")]
    // A malformed or unknown hop stops the walk at the nearest trusted address.
    [InlineData("10.0.0.2", "198.51.100.7, garbage, 10.0.0.1", null, "10.0.0.1")]
    [InlineData("10.0.0.2", "garbage", null, "10.0.0.2")]
    [InlineData("10.0.0.2", "198.51.100.7, unknown", null, "10.0.0.2")]
    [InlineData("10.0.0.2", "127.1", null, "10.0.0.2")]
    [InlineData("10.0.0.2", "0x7f.0.0.1", null, "10.0.0.2")]
    [InlineData("10.0.0.2", "010.0.0.1", null, "10.0.0.2")]
    [InlineData("10.0.0.2", "198.51.100.7:99999", null, "10.0.0.2")]
    [InlineData("10.0.0.2", "198.51.100.7:", null, "10.0.0.2")]
    [InlineData("10.0.0.2", "[198.51.100.7]", null, "10.0.0.2")]
    [InlineData("10.0.0.2", "[2001:db8::1", null, "10.0.0.2")]
    [InlineData("10.0.0.2", null, "for=198.51.100.7, for=unknown", "10.0.0.2")]
    [InlineData("10.0.0.2", null, "for=198.51.100.7, for=_hidden, for=10.0.0.1", "10.0.0.1")]
    [InlineData("10.0.0.2", null, "for=198.51.100.7, proto=https", "10.0.0.2")]
    [InlineData("10.0.0.2", null, "for=198.51.100.7, for=1.1.1.1;for=2.2.2.2", "10.0.0.2")]
    [InlineData("10.0.0.2", null, "for=\"198.51.100.7", "10.0.0.2")]
    // Ports, brackets, bare IPv6 and whitespace in X-Forwarded-For.
    [InlineData("10.0.0.1", "198.51.100.7:5678", null, "198.51.100.7")]
    [InlineData("10.0.0.1", "[2001:db8::1]:443", null, "2001:db8::1")]
    [InlineData("10.0.0.1", "[2001:db8::1]", null, "2001:db8::1")]
    [InlineData("10.0.0.1", "2001:db8::1", null, "2001:db8::1")]
    [InlineData("10.0.0.1", "  198.51.100.7 ,\t10.0.0.3  ", null, "198.51.100.7")]
    [InlineData("10.0.0.1", "198.51.100.7,,10.0.0.3,", null, "198.51.100.7")]
    // Forwarded: quoted IPv6 with port, parameters, case, precedence over X-Forwarded-For.
    [InlineData("10.0.0.1", null, "for=\"[2001:db8:cafe::17]:4711\"", "2001:db8:cafe::17")]
    [InlineData("10.0.0.1", null, "for=\"[2001:db8:cafe::17]\";proto=https", "2001:db8:cafe::17")]
    [InlineData("10.0.0.1", null, "for=\"198.51.100.7:8080\"", "198.51.100.7")]
    [InlineData("10.0.0.1", null, "for=\"198.51.100.7:_abc\"", "198.51.100.7")]
    [InlineData("10.0.0.1", null, "For=198.51.100.7;Proto=http;By=10.0.0.1", "198.51.100.7")]
    [InlineData("10.0.0.1", null, "proto=https;for=198.51.100.7;host=\"a;b,c\"", "198.51.100.7")]
    [InlineData("10.0.0.1", null, "for=6.6.6.6, for=198.51.100.7;proto=https, for=\"10.0.0.5:8080\"", "198.51.100.7")]
    [InlineData("10.0.0.1", "5.5.5.5", "for=198.51.100.7", "198.51.100.7")]
    [InlineData("10.0.0.1", "198.51.100.7", "   ", "198.51.100.7")]
    // Garbage far left cannot hide the hops our proxies appended.
    [InlineData("10.0.0.1", null, "for=\"6.6.6.6, for=198.51.100.7", "198.51.100.7")]
    // A trusted IPv6 proxy.
    [InlineData("2001:db8:ffff::1", null, "for=198.51.100.7", "198.51.100.7")]
    [InlineData("2001:db8:ffff::1", "2001:db8:ffff::2, 2001:db8:ffff::3", null, "2001:db8:ffff::2")]
    // IPv4-mapped peers and hops are unwrapped before any check.
    [InlineData("::ffff:10.0.0.1", "198.51.100.7", null, "198.51.100.7")]
    [InlineData("::ffff:203.0.113.9", "198.51.100.7", null, "203.0.113.9")]
    [InlineData("10.0.0.1", "::ffff:198.51.100.7", null, "198.51.100.7")]
    [InlineData("10.0.0.1", "198.51.100.7, ::ffff:10.0.0.9", null, "198.51.100.7")]
    public void Resolves_the_client(string peer, string? xForwardedFor, string? forwarded, string expected)
    {
        IPAddress client = Resolver.Resolve(IPAddress.Parse(peer), xForwardedFor, forwarded);

        Assert.Equal(IPAddress.Parse(expected), client);
        Assert.False(client.IsIPv4MappedToIPv6);
    }

    [Theory]
    [InlineData(new[] { "6.6.6.6, 198.51.100.7", "10.0.0.1" }, "198.51.100.7")]
    [InlineData(new[] { "198.51.100.7", "10.0.0.3, 10.0.0.4" }, "198.51.100.7")]
    [InlineData(new[] { "198.51.100.7", "", "10.0.0.3" }, "198.51.100.7")]
    [InlineData(new[] { "10.0.0.5", "10.0.0.3" }, "10.0.0.5")]
    [InlineData(new[] { "198.51.100.7", "garbage", "10.0.0.3" }, "10.0.0.3")]
    public void Several_X_Forwarded_For_headers_count_as_one_list(string[] values, string expected)
    {
        IPAddress peer = IPAddress.Parse("10.0.0.1");

        Assert.Equal(IPAddress.Parse(expected), Resolver.Resolve(peer, values, null));
        Assert.Equal(IPAddress.Parse(expected), Resolver.Resolve(peer, string.Join(", ", values), null));
    }

    [Fact]
    public void Several_Forwarded_headers_count_as_one_list()
    {
        IPAddress peer = IPAddress.Parse("10.0.0.1");
        string?[] forwarded = ["for=6.6.6.6", "for=\"[2001:db8::9]:1\", for=10.0.0.7", null];

        Assert.Equal(IPAddress.Parse("2001:db8::9"), Resolver.Resolve(peer, ["5.5.5.5"], forwarded));
    }

    [Fact]
    public void Headers_from_an_untrusted_peer_are_ignored_in_every_overload()
    {
        IPAddress peer = IPAddress.Parse("203.0.113.9");

        Assert.Equal(peer, Resolver.Resolve(peer, ["10.0.0.1", "1.2.3.4"], ["for=1.2.3.4"]));
    }

    [Fact]
    public void Without_trusted_proxies_the_peer_is_always_the_client()
    {
        var resolver = new TrustedProxyResolver(IpNetworkSet.Empty);
        IPAddress peer = IPAddress.Parse("::ffff:10.0.0.1");

        Assert.Equal(IPAddress.Parse("10.0.0.1"), resolver.Resolve(peer, "198.51.100.7", "for=198.51.100.7"));
    }

    [Fact]
    public void A_scope_id_is_dropped()
    {
        var resolver = new TrustedProxyResolver(IpNetworkSet.Parse(["fe80::/10"]));
        IPAddress peer = IPAddress.Parse("fe80::1%3");

        IPAddress client = resolver.Resolve(peer, (string?)null, null);

        Assert.Equal(0, client.ScopeId);
        Assert.Equal(IPAddress.Parse("fe80::1"), client);
    }

    [Fact]
    public void A_long_forged_prefix_does_not_change_the_answer()
    {
        string forged = string.Join(", ", Enumerable.Range(0, 2000).Select(i => $"10.{i % 256}.0.1"));

        Assert.Equal(IPAddress.Parse("198.51.100.7"), Resolver.Resolve(IPAddress.Parse("10.0.0.1"), forged + ", 198.51.100.7, 10.0.0.2", null));
    }
}
