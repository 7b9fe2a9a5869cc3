namespace Bulwark.Core.Simulation;

/// <summary>Parameters of a simulation run. Immutable; every default is stated.</summary>
public sealed record SimulationOptions
{
    /// <summary>The seed: the same seed gives byte-identical output. Default 1.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Start of the simulated timeline. Default 2026-11-21T10:00:00Z (a simulator has its own clock).</summary>
    public DateTimeOffset Start { get; init; } = new(2026, 11, 21, 10, 0, 0, TimeSpan.Zero);

    /// <summary>Length of the timeline every scenario shares. Default one hour.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Addresses (one request each) of the residential-proxy scraper. Default 100,000 (the million is <c>--proxy-addresses 1000000</c>).</summary>
    public int ProxyAddresses { get; init; } = 100_000;

    /// <summary>Addresses of the layer-7 flood (two requests each). Default 100,000.</summary>
    public int FloodAddresses { get; init; } = 100_000;
}
