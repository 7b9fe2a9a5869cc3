namespace Bulwark.Redis.Limits;

/// <summary>How <see cref="RedisCounterStore"/> names keys, how long it waits, and when it stops trying.</summary>
public sealed record RedisCounterStoreOptions
{
    /// <summary>Prefix of every key (default <c>bulwark:</c>); must not contain <c>{</c> or <c>}</c> (they would change the hash tag).</summary>
    public string KeyPrefix { get; init; } = "bulwark:";

    /// <summary>Longest a call may take, connecting included (default 5 ms); past it the call fails as unavailable.</summary>
    public TimeSpan Budget { get; init; } = TimeSpan.FromMilliseconds(5);

    /// <summary>Consecutive failures that open the circuit (default 5).</summary>
    public int BreakAfter { get; init; } = 5;

    /// <summary>How long the circuit first stays open (default 250 ms); doubled after each failed probe.</summary>
    public TimeSpan OpenFor { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Longest the circuit stays open between probes (default 4 s).</summary>
    public TimeSpan MaxOpenFor { get; init; } = TimeSpan.FromSeconds(4);

    /// <summary>
    /// How much longer than the caller's own expiry Redis keeps a key (default 60 s), so a gateway whose clock lags the
    /// writer's by less than this still finds the counter. The script compares each entry's own expiry with the caller's
    /// time, so a longer slack never changes a result; it only keeps an idle key a little longer. (At 1 s, a caller whose
    /// clock stepped back found Redis had already dropped a key the in-memory store still held: the conformance test
    /// caught it on a loaded machine.)
    /// </summary>
    public TimeSpan ExpirySlack { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How many counters known to refuse (until their retry time) the store remembers, so an attack on one hot key costs
    /// no Redis call per request (default 16,384 entries of 40 bytes: 640 KiB; 0 turns the cache off). See docs/redis.md.
    /// </summary>
    public int RefusalCacheEntries { get; init; } = 16_384;
}
