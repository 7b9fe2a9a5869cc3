namespace Bulwark.Core.Behavior;

/// <summary>
/// Cluster activity without a baseline (<c>Bulwark:Behavior:Clusters</c>): the <c>cluster_churn</c> and
/// <c>cluster_ceiling</c> signals. Both key on a fingerprint cluster (JA4 × header order × User-Agent family) whose
/// requests carry no client state and show automation evidence; a big cluster of consistent browsers never qualifies.
/// </summary>
public sealed record ClusterActivityOptions
{
    /// <summary>False turns both signals off (default true).</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Length of one counting window in seconds (default 60); figures cover the current and the previous window.</summary>
    public int WindowSeconds { get; init; } = 60;

    /// <summary>Clusters tracked at once, in a Space-Saving table (default 64; 344 bytes each).</summary>
    public int TrackedClusters { get; init; } = 64;

    /// <summary>Fewest requests of the cluster in the counting span before <c>cluster_churn</c> can fire (default 100).</summary>
    public int MinRequests { get; init; } = 100;

    /// <summary>The cluster's request rate must be at least this (default 1 per second).</summary>
    public double MinRatePerSecond { get; init; } = 1.0;

    /// <summary>At most this many requests per distinct IP group (default 2): the addresses are one-shot.</summary>
    public double MaxRequestsPerAddress { get; init; } = 2.0;

    /// <summary>Smallest share of the cluster's requests that carry no client state (default 0.9).</summary>
    public double MinStatelessShare { get; init; } = 0.9;

    /// <summary>
    /// Requests per second of one cluster above which <c>cluster_ceiling</c> fires, measured over
    /// <see cref="CeilingWindowSeconds"/> (default 20), for clusters whose requests carry TLS-level evidence (0: off).
    /// </summary>
    public double CeilingPerSecond { get; init; } = 20.0;

    /// <summary>Length of the ceiling's counting window in seconds (default 10).</summary>
    public int CeilingWindowSeconds { get; init; } = 10;

    /// <summary>
    /// Smallest share of the group's requests carrying TLS-level evidence for the ceiling (default 0.5: tools rotate through
    /// User-Agent lists that hold old versions too, whose TLS 1.2 is no contradiction).
    /// </summary>
    public double MinEvidenceShare { get; init; } = 0.5;

    /// <summary>Seconds a flagged cluster stays flagged for its stateless, evidence-bearing requests (default 600).</summary>
    public int HoldSeconds { get; init; } = 600;

    /// <summary>
    /// Signals that make a request automation evidence for <c>cluster_churn</c>: a client claiming a browser that its TLS,
    /// headers or hints contradict, or sending no User-Agent. Signals of detectors that ran before.
    /// </summary>
    public IReadOnlyList<string> EvidenceSignals { get; init; } =
        ["ua_tls_mismatch", "ua_tls_traits_mismatch", "browser_headers_missing", "client_hints_mismatch", "header_order_mismatch", "browser_without_h2", "browser_without_tls13", "no_user_agent"];

    /// <summary>
    /// Signals that count as TLS-level evidence for <c>cluster_ceiling</c>: contradictions a front door that drops headers
    /// cannot cause.
    /// </summary>
    public IReadOnlyList<string> TlsEvidenceSignals { get; init; } = ["ua_tls_mismatch", "ua_tls_traits_mismatch", "browser_without_h2", "browser_without_tls13"];
}
