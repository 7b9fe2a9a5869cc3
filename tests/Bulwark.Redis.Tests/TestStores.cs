using Bulwark.Redis.Client;
using Bulwark.Redis.Limits;

namespace Bulwark.Redis.Tests;

/// <summary>Stores and clients for tests: a generous budget so correctness tests never trip on a slow machine.</summary>
internal static class TestStores
{
    /// <summary>A fixed, realistic timestamp (2026-11-22 UTC) so tests never read the wall clock.</summary>
    public static readonly long Now = new DateTime(2026, 11, 22, 0, 0, 0, DateTimeKind.Utc).Ticks;

    public static RedisCounterStore Create(RedisServer server, string? prefix = null, TimeSpan? budget = null, int breakAfter = 5, string settings = "", int refusalCache = 16_384) =>
        new(
            new RedisClient(RedisEndpoint.Parse(server.Connection(settings))),
            new RedisCounterStoreOptions
            {
                KeyPrefix = prefix ?? $"t{Guid.NewGuid():N}:",
                Budget = budget ?? TimeSpan.FromSeconds(5),
                BreakAfter = breakAfter,
                OpenFor = TimeSpan.FromMilliseconds(100),
                MaxOpenFor = TimeSpan.FromMilliseconds(400),
                RefusalCacheEntries = refusalCache,
            },
            ownsClient: true);
}
