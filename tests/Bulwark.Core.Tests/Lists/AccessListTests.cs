using System.Net;
using Bulwark.Core.Lists;
using Bulwark.Core.Policy;

namespace Bulwark.Core.Tests.Lists;

public class AccessListTests
{
    private static readonly AccessList List = AccessList.Create(new ListOptions
    {
        Cidrs = ["203.0.113.0/24", "2001:db8::/32", "198.51.100.7"],
        ApiKeys = ["Key-ABC"],
        Accounts = ["Alice@Example.com"],
    });

    private static readonly IPAddress Outside = IPAddress.Parse("192.0.2.1");

    [Theory]
    [InlineData("203.0.113.7", "ip in 203.0.113.0/24")]
    [InlineData("::ffff:203.0.113.7", "ip in 203.0.113.0/24")]
    [InlineData("198.51.100.7", "ip in 198.51.100.7/32")]
    [InlineData("2001:db8:5::1", "ip in 2001:db8::/32")]
    public void Matches_addresses_by_network(string address, string detail)
    {
        Assert.True(List.TryMatch(IPAddress.Parse(address), null, null, out string actual));
        Assert.Equal(detail, actual);
    }

    [Fact]
    public void Api_keys_match_exactly()
    {
        Assert.True(List.TryMatch(Outside, "Key-ABC", null, out string detail));
        Assert.Equal("api key on list", detail);
        Assert.False(List.TryMatch(Outside, "key-abc", null, out _));
    }

    [Fact]
    public void Accounts_match_case_insensitively()
    {
        Assert.True(List.TryMatch(Outside, null, "alice@example.COM", out string detail));
        Assert.Equal("account on list", detail);
        Assert.False(List.TryMatch(Outside, null, "bob@example.com", out _));
    }

    [Fact]
    public void Details_never_carry_the_clients_key_or_account()
    {
        Assert.True(List.TryMatch(Outside, "Key-ABC", null, out string detail));
        Assert.DoesNotContain("Key-ABC", detail, StringComparison.Ordinal);
        Assert.True(List.TryMatch(Outside, null, "alice@example.com", out detail));
        Assert.DoesNotContain("alice", detail, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Nothing_else_matches()
    {
        Assert.False(List.TryMatch(Outside, "other", "carol", out string detail));
        Assert.Equal(string.Empty, detail);
        Assert.False(List.IsEmpty);
    }

    [Fact]
    public void An_empty_list_is_empty()
    {
        AccessList list = AccessList.Create(new ListOptions());

        Assert.True(list.IsEmpty);
        Assert.Same(AccessList.Empty, list);
        Assert.False(list.TryMatch(Outside, "k", "a", out _));
    }

    [Fact]
    public void A_bad_cidr_is_named()
    {
        FormatException error = Assert.Throws<FormatException>(() =>
            AccessList.Create(new ListOptions { Cidrs = ["10.0.0.0/8", "10.0.0.0/40", "not-an-ip"] }));

        Assert.Contains("10.0.0.0/40", error.Message, StringComparison.Ordinal);
        Assert.Contains("not-an-ip", error.Message, StringComparison.Ordinal);
    }
}
