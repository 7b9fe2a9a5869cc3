using System.Diagnostics;
using System.Net;
using Bulwark.Core.Lists;
using Bulwark.Redis.Client;
using Bulwark.Redis.Lists;

namespace Bulwark.Redis.Tests.Lists;

/// <summary>Bans added on one gateway apply on the others through Redis pub/sub, and survive a lost subscription.</summary>
public sealed class RedisBanSyncTests : IClassFixture<RedisServerFixture>
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(10);
    private readonly RedisServerFixture _fixture;

    public RedisBanSyncTests(RedisServerFixture fixture) => _fixture = fixture;

    [RedisFact]
    public async Task A_ban_added_on_one_gateway_applies_on_the_other_and_a_late_joiner_loads_it()
    {
        var prefix = $"b{Guid.NewGuid():N}:";
        var endpoint = RedisEndpoint.Parse(_fixture.Server.Connection());
        await using var clientA = new RedisClient(endpoint);
        await using var clientB = new RedisClient(endpoint);
        var listA = new BanList();
        var listB = new BanList();
        await using var a = new RedisBanSync(endpoint, clientA, listA, prefix);
        // Gateway B speaks RESP3, where pub/sub messages arrive as push frames.
        await using var b = new RedisBanSync(RedisEndpoint.Parse(_fixture.Server.Connection("protocol=3")), clientB, listB, prefix);
        a.Start();
        b.Start();
        await Task.WhenAll(a.Synced, b.Synced).WaitAsync(Soon);

        await a.AddAsync(BanTarget.Ip, "203.0.113.0/24", TimeSpan.FromMinutes(10), "honeypot");
        await a.AddAsync(BanTarget.Account, "Mallory", TimeSpan.FromMinutes(10), "credential stuffing");
        var took = await WaitUntilAsync(() => listB.Count == 2);
        Assert.True(took < TimeSpan.FromSeconds(1), $"the bans reached the other gateway after {took.TotalMilliseconds:0} ms");
        Assert.True(listB.TryMatch(IPAddress.Parse("203.0.113.9"), null, null, null, DateTimeOffset.UtcNow, out var ban));
        Assert.Equal("honeypot", ban.Reason);
        Assert.True(listB.TryMatch(IPAddress.Parse("192.0.2.1"), null, "mallory", null, DateTimeOffset.UtcNow, out _));

        // A gateway that starts later loads the bans already in Redis; an expired one is not loaded.
        await a.AddAsync(BanTarget.ApiKey, "k-short", TimeSpan.FromMilliseconds(1), "short");
        await Task.Delay(20);
        var listC = new BanList();
        await using var clientC = new RedisClient(endpoint);
        await using var c = new RedisBanSync(endpoint, clientC, listC, prefix);
        c.Start();
        await c.Synced.WaitAsync(Soon);
        Assert.Equal(2, listC.Count);

        // Removal travels the same way.
        Assert.True(await b.RemoveAsync(BanTarget.Ip, "203.0.113.0/24"));
        await WaitUntilAsync(() => listA.List(DateTimeOffset.UtcNow).Count == 1 && listC.Count == 1);
        Assert.Equal(1, listC.Count);
        Assert.False(listA.TryMatch(IPAddress.Parse("203.0.113.9"), null, null, null, DateTimeOffset.UtcNow, out _));
    }

    [RedisFact]
    public async Task Bans_the_engine_makes_on_its_own_list_reach_the_other_gateway_once_without_echo()
    {
        // A server of its own, so INFO commandstats counts this test's publications only.
        using var server = RedisServer.Start();
        var endpoint = RedisEndpoint.Parse(server.Connection());
        await using var clientA = new RedisClient(endpoint);
        await using var clientB = new RedisClient(endpoint);
        var listA = new BanList();
        var listB = new BanList();
        await using var a = new RedisBanSync(endpoint, clientA, listA);
        await using var b = new RedisBanSync(endpoint, clientB, listB);
        a.Start();
        b.Start();
        await Task.WhenAll(a.Synced, b.Synced).WaitAsync(Soon);

        // The engine (a honeypot, a lockout, an operator) adds to its BanList directly, not through RedisBanSync.
        listA.Add(BanTarget.Ip, "192.0.2.66", TimeSpan.FromMinutes(10), "honeypot", DateTimeOffset.UtcNow);
        var took = await WaitUntilAsync(() => listB.Count == 1);
        Assert.True(took < TimeSpan.FromSeconds(1), $"the engine's ban reached the other gateway after {took.TotalMilliseconds:0} ms");
        Assert.True(listB.TryMatch(IPAddress.Parse("192.0.2.66"), null, null, null, DateTimeOffset.UtcNow, out var ban));
        Assert.Equal("honeypot", ban.Reason);

        // Lifted on B (by B's engine): lifted on A.
        Assert.True(listB.Remove(BanTarget.Ip, "192.0.2.66"));
        took = await WaitUntilAsync(() => listA.Count == 0);
        Assert.True(took < TimeSpan.FromSeconds(1), $"the removal reached the other gateway after {took.TotalMilliseconds:0} ms");

        // No echo: each gateway published its own change once, and the received changes (including each gateway's own
        // message coming back on its subscription) were applied without being published again.
        await Task.Delay(300);
        Assert.Equal(1, a.Published);
        Assert.Equal(1, b.Published);
        await using var admin = new RedisClient(endpoint);
        var stats = (await admin.ExecuteAsync(["INFO", "commandstats"])).AsString() ?? string.Empty;
        var publish = stats.Split('\n').Where(l => l.StartsWith("cmdstat_publish:", StringComparison.Ordinal))
            .Sum(l => long.Parse(l.Split(',')[0].Split('=')[1], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(2, publish); // one add, one removal (PUBLISH inside the scripts is counted): nothing bounced back
        Assert.Equal(0, listA.Count);
        Assert.Equal(0, listB.Count);
    }

    [RedisFact]
    public async Task After_the_subscription_is_killed_the_gateway_resubscribes_and_catches_up()
    {
        var prefix = $"b{Guid.NewGuid():N}:";
        var endpoint = RedisEndpoint.Parse(_fixture.Server.Connection());
        await using var clientA = new RedisClient(endpoint);
        await using var clientB = new RedisClient(endpoint);
        var listB = new BanList();
        await using var a = new RedisBanSync(endpoint, clientA, new BanList(), prefix);
        await using var b = new RedisBanSync(endpoint, clientB, listB, prefix);
        b.Start();
        await b.Synced.WaitAsync(Soon);

        // Kill every pub/sub connection; a ban added meanwhile arrives through the reload after resubscribing.
        Assert.True((await clientA.ExecuteAsync(["CLIENT", "KILL", "TYPE", "pubsub"])).Integer >= 1);
        await a.AddAsync(BanTarget.Fingerprint, "t13d1516h2_8daaf6152771_02713d6af862", TimeSpan.FromMinutes(5), "bad bot");
        await WaitUntilAsync(() => listB.Count == 1);
        Assert.Equal(1, listB.Count);

        // And live messages flow again on the new subscription.
        await WaitUntilAsync(() => false, TimeSpan.FromMilliseconds(300));
        await a.AddAsync(BanTarget.ApiKey, "k-2", TimeSpan.FromMinutes(5), "abuse");
        await WaitUntilAsync(() => listB.Count == 2);
        Assert.Equal(2, listB.Count);
    }

    private static async Task<TimeSpan> WaitUntilAsync(Func<bool> condition, TimeSpan? limit = null)
    {
        var waited = Stopwatch.StartNew();
        while (!condition() && waited.Elapsed < (limit ?? Soon))
        {
            await Task.Delay(5);
        }

        return waited.Elapsed;
    }
}
