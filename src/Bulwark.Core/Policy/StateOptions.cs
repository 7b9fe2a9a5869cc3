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

    /// <summary>
    /// How many counters known to refuse until their retry time each gateway remembers, so a hot over-limit key costs no
    /// Redis call per request (default 16,384 entries of 40 bytes; 0 turns the cache off; at most 16,777,216).
    /// </summary>
    public int RefusalCacheEntries { get; init; } = 16_384;
}

/// <summary>IP intelligence settings.</summary>
public sealed record IpIntelOptions
{
    /// <summary>Path of the file <c>bulwark ipdb build</c> writes. Null: no IP intelligence.</summary>
    public string? Database { get; init; }

    /// <summary>Sources <c>bulwark ipdb update</c> downloads, as <c>KIND:URL</c> (<c>csv:https://…/asn-ipv4.csv</c>), in build order.</summary>
    public IReadOnlyList<string> Sources { get; init; } = [];

    /// <summary>Partner autonomous systems: their hosting networks are not penalised (no <c>hosting</c> tier or signal).</summary>
    public IReadOnlyList<long> PartnerAsns { get; init; } = [];

    /// <summary>Reputation by ASN (<c>"AS64500"</c> or <c>"64500"</c> → 0–100): the weight of the <c>asn_reputation</c> signal.</summary>
    public IReadOnlyDictionary<string, int> AsnScores { get; init; } = new Dictionary<string, int>();

    /// <summary>
    /// Countries each API key may be used from (ISO 3166-1 alpha-2), keyed by the SHA-256 of the key in lower-case hex
    /// (<c>sha256-…</c>, so the configuration holds no secret; a colon cannot appear in a configuration key) or by the key itself. A request with the key from another
    /// country raises <c>country_not_allowed</c>.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> KeyCountries { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>Impossible-travel detection per account and API key.</summary>
    public ImpossibleTravelOptions ImpossibleTravel { get; init; } = new();
}

/// <summary>When two requests of one account or API key are too far apart for the time between them.</summary>
public sealed record ImpossibleTravelOptions
{
    /// <summary>Fastest believable travel in km/h (default 900, an airliner).</summary>
    public int SpeedKmh { get; init; } = 900;

    /// <summary>Distances below this (km, default 500) never fire: city-level geolocation is that noisy.</summary>
    public int MinDistanceKm { get; init; } = 500;

    /// <summary>Accounts and keys remembered at once (default 100,000; the least recently seen are forgotten first).</summary>
    public int MaxTracked { get; init; } = 100_000;
}
