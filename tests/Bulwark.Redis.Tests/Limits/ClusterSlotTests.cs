using Bulwark.Core.Limits;
using Bulwark.Redis.Client;
using Bulwark.Redis.Limits;

namespace Bulwark.Redis.Tests.Limits;

/// <summary>
/// The store against a real single-node Redis Cluster (cluster mode on, all 16,384 slots on the one node): a request whose
/// limits all key on one actor runs (its keys share the actor's hash tag, so one slot); a request keyed on two actors is
/// refused by the cluster with CROSSSLOT, and the store says so clearly instead of crashing. What docs/redis.md states.
/// </summary>
public sealed class ClusterSlotTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bulwark-redis-cluster-").FullName;

    [RedisFact]
    public async Task One_actors_keys_share_a_slot_and_two_actors_get_a_clear_crossslot_error()
    {
        using var server = RedisServer.Start("--cluster-enabled", "yes", "--dir", _dir, "--cluster-config-file", "nodes.conf");
        await using var admin = new RedisClient(RedisEndpoint.Parse(server.Connection()));
        Assert.Equal("OK", (await admin.ExecuteAsync(["CLUSTER", "ADDSLOTSRANGE", "0", "16383"])).AsString());
        for (var i = 0; i < 100 && !((await admin.ExecuteAsync(["CLUSTER", "INFO"])).AsString() ?? string.Empty).Contains("cluster_state:ok", StringComparison.Ordinal); i++)
        {
            await Task.Delay(50);
        }

        await using var store = TestStores.Create(server, prefix: "bulwark:");
        var minute = TimeSpan.TicksPerMinute;

        // Two limits on the same address (as a policy with login-ip and api-ip has): one slot, the script runs.
        var ip = "203.0.113.7";
        CounterOperation[] sameActor =
        [
            new() { Key = $"login-ip|{ip}", Algorithm = LimitAlgorithm.TokenBucket, Mode = CounterMode.Acquire, Permits = 10, PeriodTicks = minute, Burst = 10, Cost = 1 },
            new() { Key = $"api-ip|{ip}", Algorithm = LimitAlgorithm.FixedWindow, Mode = CounterMode.Acquire, Permits = 100, PeriodTicks = minute, Cost = 1 },
        ];
        var slots = await Task.WhenAll(sameActor.Select(async op => (await admin.ExecuteAsync(["CLUSTER", "KEYSLOT", store.RedisKey(op.Key)])).Integer));
        Assert.Equal(slots[0], slots[1]);
        var results = new CounterResult[2];
        await store.ApplyAsync(sameActor, results, TestStores.Now);
        Assert.True(results[0].Allowed && results[1].Allowed);
        Assert.Equal(9, results[0].Remaining);

        // A per-IP and a per-account limit in one request: two hash tags, two slots. The cluster refuses the script.
        CounterOperation[] twoActors = [sameActor[0], sameActor[1] with { Key = "login-account|alice" }];
        var accountSlot = (await admin.ExecuteAsync(["CLUSTER", "KEYSLOT", store.RedisKey(twoActors[1].Key)])).Integer;
        Assert.NotEqual(slots[0], accountSlot);
        var e = await Assert.ThrowsAsync<CounterStoreUnavailableException>(async () => await store.ApplyAsync(twoActors, results, TestStores.Now));
        Assert.Contains("CROSSSLOT", e.Message, StringComparison.Ordinal);
        Assert.Contains("different Redis Cluster slots", e.Message, StringComparison.Ordinal);
    }

    /// <inheritdoc />
    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
