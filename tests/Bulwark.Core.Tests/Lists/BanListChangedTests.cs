using Bulwark.Core.Lists;

namespace Bulwark.Core.Tests.Lists;

/// <summary><see cref="BanList.Changed"/>: what shared state (Redis) publishes to other gateways.</summary>
public sealed class BanListChangedTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Additions_replacements_and_removals_are_reported_with_canonical_values_and_purges_are_not()
    {
        var list = new BanList();
        var changes = new List<BanChange>();
        list.Changed += changes.Add;

        list.Add(BanTarget.Ip, "::ffff:203.0.113.7", TimeSpan.FromMinutes(10), "honeypot", Now);
        var added = Assert.Single(changes);
        Assert.False(added.IsRemoval);
        Assert.Equal("203.0.113.7", added.Value);
        Assert.Equal(Now + TimeSpan.FromMinutes(10), added.Ban!.ExpiresAt);

        // A re-ban with a shorter time keeps the later expiry; the change carries the ban as stored.
        list.Add(BanTarget.Ip, "203.0.113.7", TimeSpan.FromMinutes(1), "lockout", Now);
        Assert.Equal(2, changes.Count);
        Assert.Equal("lockout", changes[1].Ban!.Reason);
        Assert.Equal(Now + TimeSpan.FromMinutes(10), changes[1].Ban!.ExpiresAt);

        Assert.True(list.Remove(BanTarget.Ip, "203.0.113.7"));
        Assert.True(changes[2].IsRemoval);
        Assert.Equal((BanTarget.Ip, "203.0.113.7"), (changes[2].Target, changes[2].Value));

        // Nothing to remove, a full list, an expired ban purged: no change.
        Assert.False(list.Remove(BanTarget.Account, "nobody"));
        var tiny = new BanList(1);
        tiny.Changed += changes.Add;
        tiny.Add(BanTarget.Account, "alice", TimeSpan.FromSeconds(1), "x", Now);
        Assert.False(tiny.TryAdd(BanTarget.Account, "bob", TimeSpan.FromMinutes(1), "x", Now, out _));
        Assert.Equal(1, tiny.Purge(Now + TimeSpan.FromSeconds(2)));
        Assert.Equal(4, changes.Count);
    }
}
