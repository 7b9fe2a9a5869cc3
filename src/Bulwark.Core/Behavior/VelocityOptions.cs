namespace Bulwark.Core.Behavior;

/// <summary>
/// How a route's request rate is compared with its learned baseline (<c>Bulwark:Behavior:Velocity</c>). When a route runs
/// at more than <see cref="Factor"/> times its baseline, fingerprint clusters whose share of the route's traffic is
/// <see cref="ShareFactor"/> times their baseline share (and at least <see cref="MinShare"/>) get the
/// <c>velocity_cluster</c> signal.
/// </summary>
public sealed record VelocityOptions
{
    /// <summary>A route is surging when its rate exceeds this multiple of its baseline (default 2).</summary>
    public double Factor { get; init; } = 2.0;

    /// <summary>Length of one counting window in seconds (default 10). Baselines learn once per window.</summary>
    public int WindowSeconds { get; init; } = 10;

    /// <summary>Windows of traffic a route needs before it can surge (default 6: one minute).</summary>
    public int WarmupWindows { get; init; } = 6;

    /// <summary>Weight of the newest window in the baselines' exponentially weighted moving averages (default 0.1).</summary>
    public double Alpha { get; init; } = 0.1;

    /// <summary>A route below this many requests per second never surges (default 5): too little traffic to judge.</summary>
    public double MinRatePerSecond { get; init; } = 5.0;

    /// <summary>Smallest share of a surging route's traffic a cluster must carry to be flagged (default 0.2).</summary>
    public double MinShare { get; init; } = 0.2;

    /// <summary>A cluster is over-represented when its share exceeds this multiple of its baseline share (default 3).</summary>
    public double ShareFactor { get; init; } = 3.0;

    /// <summary>Fewest requests of a cluster in the current and previous window before it can be flagged (default 20).</summary>
    public int MinClusterRequests { get; init; } = 20;

    /// <summary>Clusters tracked per route by the Space-Saving heavy-hitter summary (default 64).</summary>
    public int TrackedClusters { get; init; } = 64;
}
