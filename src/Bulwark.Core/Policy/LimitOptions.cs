namespace Bulwark.Core.Policy;

/// <summary>One rate limit of a policy.</summary>
public sealed record LimitOptions
{
    /// <summary>Unique name within the policy; shown in <c>RateLimit</c> headers and records.</summary>
    public string Name { get; init; } = "";

    /// <summary>
    /// What to count by: <c>ip</c> (IPv6 grouped by the configured prefix), <c>subnet</c> or <c>subnet:N</c> (IPv4 /N,
    /// default 24; IPv6 /48), <c>asn</c>, <c>api_key</c>, <c>account</c>, <c>session</c>, <c>fingerprint</c> (JA4, else JA3),
    /// <c>route</c>, <c>header:NAME</c>, <c>body:FIELD</c>, <c>global</c>; combined with <c>+</c> (<c>account+ip</c>). A request
    /// missing a part of its key is not counted by that limit. Default <c>ip</c>.
    /// </summary>
    public string Key { get; init; } = "ip";

    /// <summary>The rate, like <c>"100/min"</c>.</summary>
    public string Rate { get; init; } = "";

    /// <summary>Bucket size for <c>token_bucket</c> and <c>gcra</c> (default: the rate's permit count).</summary>
    public long? Burst { get; init; }

    /// <summary><c>token_bucket</c> (default), <c>sliding_window</c>, <c>gcra</c>, <c>fixed_window</c> or <c>concurrency</c>.</summary>
    public string Algorithm { get; init; } = "token_bucket";

    /// <summary>
    /// What spends permits: <c>requests</c> (default, 1 each), <c>cost</c> (the route's cost) or <c>failures</c> (1 per
    /// response whose status is in <see cref="FailureStatuses"/>; once spent out, further requests are refused).
    /// </summary>
    public string Count { get; init; } = "requests";

    /// <summary>For <c>Count: failures</c>: status codes (<c>401</c>) or classes (<c>4xx</c>). Default 4xx and 5xx.</summary>
    public IReadOnlyList<string> FailureStatuses { get; init; } = ["4xx", "5xx"];

    /// <summary><c>block</c> (default: 429) or <c>delay</c> (token bucket and gcra: hold the request, progressively, up to the policy's <c>Delay.MaxMs</c>, then 429).</summary>
    public string OnLimit { get; init; } = "block";

    /// <summary>Rates by risk tier, first match wins (for example hosting networks 5/min where the base rate is 60/min).</summary>
    public IReadOnlyList<TierOptions> Tiers { get; init; } = [];
}

/// <summary>A rate that replaces the limit's base rate for requests in a risk tier.</summary>
public sealed record TierOptions
{
    /// <summary>The tier: <c>elevated</c> or <c>high</c> (from the score), or a tier an enricher sets (for example <c>hosting</c>).</summary>
    public string When { get; init; } = "";

    /// <summary>The rate for that tier (<c>"0/min"</c> refuses every request of the tier).</summary>
    public string Rate { get; init; } = "";

    /// <summary>Bucket size for the tier (default: the tier rate's permit count).</summary>
    public long? Burst { get; init; }
}
