using System.Net;
using Bulwark.Core.Lists;

namespace Bulwark.Core.Tests.Lists;

public class BanListTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 21, 10, 0, 0, TimeSpan.Zero);
    private static readonly IPAddress Client = IPAddress.Parse("203.0.113.7");
    private static readonly IPAddress Other = IPAddress.Parse("198.51.100.1");

    [Fact]
    public void A_ban_holds_until_its_ttl_ends()
    {
        var bans = new BanList();
        Ban added = bans.Add(BanTarget.Ip, "203.0.113.7", TimeSpan.FromMinutes(10), "scraping", T0);

        Assert.Equal(T0.AddMinutes(10), added.ExpiresAt);
        Assert.True(bans.TryMatch(Client, null, null, null, T0.AddMinutes(9), out Ban? ban));
        Assert.Same(added, ban);
        Assert.False(bans.TryMatch(Other, null, null, null, T0, out _));
        Assert.False(bans.TryMatch(Client, null, null, null, T0.AddMinutes(10), out ban));
        Assert.Null(ban);
        Assert.Equal(0, bans.Count); // purged by the lookup
    }

    [Fact]
    public void Network_bans_match_by_containment()
    {
        var bans = new BanList();
        Ban v4 = bans.Add(BanTarget.Ip, "203.0.113.99/24", TimeSpan.FromHours(1), "abuse", T0);
        bans.Add(BanTarget.Ip, "2001:db8:1::/48", TimeSpan.FromHours(1), "abuse", T0);

        Assert.Equal("203.0.113.0/24", v4.Value);
        Assert.True(bans.TryMatch(IPAddress.Parse("203.0.113.250"), null, null, null, T0, out _));
        Assert.True(bans.TryMatch(IPAddress.Parse("::ffff:203.0.113.1"), null, null, null, T0, out _));
        Assert.True(bans.TryMatch(IPAddress.Parse("2001:db8:1:ffff::1"), null, null, null, T0, out Ban? ban));
        Assert.Equal("2001:db8:1::/48", ban.Value);
        Assert.False(bans.TryMatch(IPAddress.Parse("2001:db8:2::1"), null, null, null, T0, out _));
        Assert.False(bans.TryMatch(IPAddress.Parse("203.0.114.1"), null, null, null, T0, out _));
        Assert.False(bans.TryMatch(IPAddress.Parse("203.0.113.1"), null, null, null, T0.AddHours(1), out _));
        Assert.Equal(0, bans.Count);
    }

    [Fact]
    public void Addresses_are_normalised()
    {
        var bans = new BanList();
        Ban ban = bans.Add(BanTarget.Ip, "::ffff:203.0.113.7", TimeSpan.FromHours(1), "x", T0);

        Assert.Equal("203.0.113.7", ban.Value);
        Assert.True(bans.TryMatch(Client, null, null, null, T0, out _));
        Assert.True(bans.Remove(BanTarget.Ip, "203.0.113.7/32"));
        Assert.False(bans.TryMatch(Client, null, null, null, T0, out _));
    }

    [Fact]
    public void A_re_ban_extends_and_never_shortens()
    {
        var bans = new BanList();
        bans.Add(BanTarget.Account, "alice", TimeSpan.FromMinutes(10), "first", T0);

        Ban extended = bans.Add(BanTarget.Account, "ALICE", TimeSpan.FromMinutes(10), "second", T0.AddMinutes(5));
        Assert.Equal(T0.AddMinutes(15), extended.ExpiresAt);
        Assert.Equal("second", extended.Reason);
        Assert.Equal(1, bans.Count);

        Ban kept = bans.Add(BanTarget.Account, "alice", TimeSpan.FromMinutes(1), "third", T0.AddMinutes(6));
        Assert.Equal(T0.AddMinutes(15), kept.ExpiresAt);
        Assert.True(bans.TryMatch(Other, null, "Alice", null, T0.AddMinutes(14), out Ban? ban));
        Assert.Equal("third", ban.Reason);
        Assert.False(bans.TryMatch(Other, null, "Alice", null, T0.AddMinutes(15), out _));
    }

    [Fact]
    public void A_network_re_ban_replaces_the_network_ban()
    {
        var bans = new BanList();
        bans.Add(BanTarget.Ip, "10.0.0.0/8", TimeSpan.FromMinutes(10), "a", T0);
        bans.Add(BanTarget.Ip, "10.1.2.3/8", TimeSpan.FromMinutes(30), "b", T0);

        Assert.Equal(1, bans.Count);
        Assert.True(bans.TryMatch(IPAddress.Parse("10.9.9.9"), null, null, null, T0.AddMinutes(20), out Ban? ban));
        Assert.Equal("b", ban.Reason);
    }

    [Fact]
    public void Keys_accounts_and_fingerprints_match_with_their_comparisons()
    {
        var bans = new BanList();
        bans.Add(BanTarget.ApiKey, "Key-1", TimeSpan.FromHours(1), "leaked", T0);
        bans.Add(BanTarget.Fingerprint, "t13d1516h2_8daaf6152771_e5627efa2ab1", TimeSpan.FromHours(1), "bot", T0);

        Assert.True(bans.TryMatch(Other, "Key-1", null, null, T0, out Ban? ban));
        Assert.Equal(BanTarget.ApiKey, ban.Target);
        Assert.False(bans.TryMatch(Other, "key-1", null, null, T0, out _));
        Assert.True(bans.TryMatch(Other, null, null, "t13d1516h2_8daaf6152771_e5627efa2ab1", T0, out ban));
        Assert.Equal(BanTarget.Fingerprint, ban.Target);
        Assert.False(bans.TryMatch(Other, null, null, "T13D1516H2_8DAAF6152771_E5627EFA2AB1", T0, out _));
    }

    [Fact]
    public void List_shows_only_live_bans()
    {
        var bans = new BanList();
        bans.Add(BanTarget.Ip, "203.0.113.7", TimeSpan.FromMinutes(1), "short", T0);
        bans.Add(BanTarget.Ip, "10.0.0.0/8", TimeSpan.FromMinutes(1), "short", T0);
        bans.Add(BanTarget.Account, "bob", TimeSpan.FromHours(1), "long", T0.AddSeconds(1));
        bans.Add(BanTarget.ApiKey, "k", TimeSpan.FromHours(1), "long", T0.AddSeconds(2));

        Assert.Equal(4, bans.List(T0).Count);
        IReadOnlyList<Ban> live = bans.List(T0.AddMinutes(2));
        Assert.Equal(["bob", "k"], live.Select(b => b.Value));
        Assert.Equal(2, bans.Count);
    }

    [Fact]
    public void Remove_lifts_a_ban()
    {
        var bans = new BanList();
        bans.Add(BanTarget.Ip, "2001:db8::/32", TimeSpan.FromHours(1), "x", T0);
        bans.Add(BanTarget.ApiKey, "k", TimeSpan.FromHours(1), "x", T0);

        Assert.True(bans.Remove(BanTarget.Ip, "2001:0db8::/32"));
        Assert.False(bans.Remove(BanTarget.Ip, "2001:db8::/32"));
        Assert.True(bans.Remove(BanTarget.ApiKey, "k"));
        Assert.False(bans.Remove(BanTarget.Account, "k"));
        Assert.Equal(0, bans.Count);
        Assert.False(bans.TryMatch(IPAddress.Parse("2001:db8::1"), "k", null, null, T0, out _));
    }

    [Theory]
    [InlineData("not-an-ip")]
    [InlineData("10.0.0.0/33")]
    [InlineData("127.1")]
    [InlineData(" ")]
    public void Bad_ip_values_are_refused_with_a_clear_message(string value)
    {
        var bans = new BanList();

        ArgumentException error = Assert.Throws<ArgumentException>(() => bans.Add(BanTarget.Ip, value, TimeSpan.FromHours(1), "x", T0));
        Assert.Equal("value", error.ParamName);
        Assert.Contains("Ip ban", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_arguments_are_refused()
    {
        var bans = new BanList();

        Assert.Throws<ArgumentException>(() => bans.Add(BanTarget.Account, "", TimeSpan.FromHours(1), "x", T0));
        Assert.Throws<ArgumentOutOfRangeException>(() => bans.Add(BanTarget.Account, "a", TimeSpan.Zero, "x", T0));
        Assert.Throws<ArgumentOutOfRangeException>(() => bans.Add((BanTarget)42, "a", TimeSpan.FromHours(1), "x", T0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BanList(0));
    }

    [Fact]
    public void The_bound_refuses_new_bans_until_some_expire()
    {
        var bans = new BanList(maxEntries: 2);
        bans.Add(BanTarget.Ip, "203.0.113.7", TimeSpan.FromMinutes(1), "a", T0);
        bans.Add(BanTarget.Ip, "10.0.0.0/8", TimeSpan.FromMinutes(10), "b", T0);

        Assert.Throws<InvalidOperationException>(() => bans.Add(BanTarget.Account, "c", TimeSpan.FromHours(1), "c", T0));
        Assert.False(bans.TryAdd(BanTarget.Account, "c", TimeSpan.FromHours(1), "c", T0, out Ban? refused));
        Assert.Null(refused);

        // Replacing an existing ban needs no room.
        Assert.True(bans.TryAdd(BanTarget.Ip, "10.0.0.0/8", TimeSpan.FromMinutes(20), "b2", T0, out _));

        // Once the first expires, the addition purges it and fits.
        Assert.True(bans.TryAdd(BanTarget.Account, "c", TimeSpan.FromHours(1), "c", T0.AddMinutes(2), out Ban? added));
        Assert.Equal("c", added.Value);
        Assert.Equal(2, bans.Count);
    }

    [Fact]
    public void A_huge_ttl_saturates()
    {
        var bans = new BanList();

        Ban ban = bans.Add(BanTarget.Account, "a", TimeSpan.MaxValue, "forever", T0);

        Assert.Equal(DateTimeOffset.MaxValue, ban.ExpiresAt);
    }

    [Fact]
    public void Concurrent_readers_and_writers_agree_on_the_count()
    {
        var bans = new BanList();
        Parallel.For(0, 4000, i =>
        {
            string value = $"10.0.{i % 200}.{i % 7}";
            if (i % 3 == 0)
            {
                bans.Add(BanTarget.Ip, value, TimeSpan.FromSeconds(1 + (i % 5)), "x", T0);
            }
            else
            {
                bans.TryMatch(IPAddress.Parse(value), null, null, null, T0.AddSeconds(i % 6), out _);
            }
        });

        bans.Purge(T0.AddDays(1));
        Assert.Equal(0, bans.Count);
        Assert.Empty(bans.List(T0.AddDays(1)));
    }

    [Fact]
    public void Lookups_do_not_allocate()
    {
        var empty = new BanList();
        var full = new BanList();
        full.Add(BanTarget.Ip, "10.0.0.0/8", TimeSpan.FromHours(1), "x", T0);
        full.Add(BanTarget.Ip, "203.0.113.7", TimeSpan.FromHours(1), "x", T0);
        full.Add(BanTarget.Account, "alice", TimeSpan.FromHours(1), "x", T0);
        empty.TryMatch(Client, "k", "a", "f", T0, out _);
        full.TryMatch(Client, "k", "a", "f", T0, out _);
        full.TryMatch(Other, "k", "ALICE", "f", T0, out _);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            empty.TryMatch(Client, "k", "a", "f", T0, out _);
            full.TryMatch(Client, "k", "a", "f", T0, out _);
            full.TryMatch(Other, "k", "ALICE", "f", T0, out _);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
