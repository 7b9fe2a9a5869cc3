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
    /// <summary><c>host:port</c> with optional <c>,password=…,user=…,ssl=true</c>.</summary>
    public string? Connection { get; init; }
}

/// <summary>IP intelligence settings.</summary>
public sealed record IpIntelOptions
{
    /// <summary>Path of the file <c>bulwark ipdb build</c> writes. Null: no IP intelligence.</summary>
    public string? Database { get; init; }
}
