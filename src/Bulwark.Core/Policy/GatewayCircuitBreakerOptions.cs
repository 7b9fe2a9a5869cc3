namespace Bulwark.Core.Policy;

/// <summary>
/// A cluster's circuit breaker (Polly): when the share of failures (connection errors, timeouts, 502/503/504 answers) in
/// the sampling window reaches <see cref="FailureRatio"/>, requests are answered 503 with <c>Retry-After</c> for
/// <see cref="BreakDurationS"/> without reaching the upstream; then one trial request decides whether it closes.
/// </summary>
public sealed record GatewayCircuitBreakerOptions
{
    /// <summary>Use the breaker. Default true.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Share of failed requests (0–1, exclusive of 0) that opens the circuit. Default 0.5.</summary>
    public double FailureRatio { get; init; } = 0.5;

    /// <summary>Requests the sampling window must hold before the ratio counts (at least 2). Default 10.</summary>
    public int MinimumThroughput { get; init; } = 10;

    /// <summary>The sampling window, in seconds. Default 10.</summary>
    public int SamplingDurationS { get; init; } = 10;

    /// <summary>How long the circuit stays open, in seconds. Default 15.</summary>
    public int BreakDurationS { get; init; } = 15;
}
