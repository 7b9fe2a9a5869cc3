namespace Bulwark.Core.Behavior;

/// <summary>
/// Global bounds and settings of behavioural detection (<c>Bulwark:Behavior</c>). Per-policy detector settings live in
/// <see cref="PolicyBehaviorOptions"/>. Every default is documented in docs/behavior.md.
/// </summary>
public sealed record BehaviorOptions
{
    /// <summary>False turns every behavioural detector off (default true).</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>
    /// Most actors whose recent history is kept (default 100,000). One actor costs about 220 bytes (docs/behavior.md); at
    /// the bound the least recently used actor is forgotten (clock eviction), so memory stays bounded under any number of
    /// distinct clients.
    /// </summary>
    public int MaxActors { get; init; } = 100_000;

    /// <summary>
    /// Most entries in each group table (default 100,000): distinct-account counters per IP, subnet, ASN, fingerprint
    /// cluster and password, per-key API statistics. One entry costs about 130 bytes; at the bound the least recently
    /// used entry goes.
    /// </summary>
    public int MaxGroups { get; init; } = 100_000;

    /// <summary>Seconds after its last request that an actor's history is forgotten (default 1800).</summary>
    public int ActorTtlSeconds { get; init; } = 1_800;

    /// <summary>Route velocity against its baseline, and the fingerprint clusters that drive a surge.</summary>
    public VelocityOptions Velocity { get; init; } = new();

    /// <summary>Fingerprint clusters of stateless automation, judged without a baseline.</summary>
    public ClusterActivityOptions Clusters { get; init; } = new();

    /// <summary>Undocumented routes whose every hit bans the client.</summary>
    public HoneypotOptions Honeypot { get; init; } = new();

    /// <summary>Bans for repeat offenders, growing with each offence.</summary>
    public OffenderOptions Offenders { get; init; } = new();
}
