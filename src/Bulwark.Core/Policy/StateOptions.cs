namespace Bulwark.Core.Policy;

/// <summary>Where counters live.</summary>
public sealed record StateOptions
{
    /// <summary><c>memory</c> (default) or <c>redis</c>.</summary>
    public string Store { get; init; } = "memory";

    /// <summary>The in-memory store's bounds.</summary>
    public MemoryStoreOptions Memory { get; init; } = new();

    /// <summary>The Redis connection, when <see cref="Store"/> is <c>redis</c>.</summary>
    public RedisOptions Redis { get; init; } = new();
}

/// <summary>Bounds of the in-memory counter store.</summary>
public sealed record MemoryStoreOptions
{
    /// <summary>Most counters kept at once (default 1,000,000). At the bound the entries nearest expiry are evicted first.</summary>
    public int MaxEntries { get; init; } = 1_000_000;
}

/// <summary>Redis connection settings.</summary>
public sealed record RedisOptions
{
    /// <summary><c>host:port</c> with optional <c>,password=…,user=…,ssl=true</c> (see docs/redis.md for the rest).</summary>
    public string? Connection { get; init; }

    /// <summary>Prefix of every key Bulwark writes (default <c>bulwark:</c>); no <c>{</c> or <c>}</c>.</summary>
    public string KeyPrefix { get; init; } = "bulwark:";

    /// <summary>
    /// Longest one request may wait for Redis, connecting included (default 5 ms, 1 to 10000). Past it the store is
    /// unavailable for that request and the policy's fail mode applies.
    /// </summary>
    public int BudgetMs { get; init; } = 5;

    /// <summary>
    /// In fail-open while Redis is unavailable, the share of each limit one gateway enforces locally (default 0.5, above 0
    /// and at most 1): with N gateways, 1/N keeps the total near the shared limit.
    /// </summary>
    public double FallbackShare { get; init; } = 0.5;
}

/// <summary>IP intelligence settings.</summary>
public sealed record IpIntelOptions
{
    /// <summary>Path of the file <c>bulwark ipdb build</c> writes. Null: no IP intelligence.</summary>
    public string? Database { get; init; }
}
