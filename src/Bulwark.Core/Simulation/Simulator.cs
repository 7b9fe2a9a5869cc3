namespace Bulwark.Core.Simulation;

/// <summary>
/// Generates scenarios on one simulated timeline. Each scenario draws from its own <see cref="Random"/>, seeded from the
/// run's seed and the scenario's name, so a scenario's traffic is the same alone or mixed into <c>all</c>, and the same
/// seed always gives the same records. The result is sorted by time (ties keep scenario order), as replay expects.
/// </summary>
public sealed class Simulator
{
    private readonly SimulationData _data;
    private readonly SimulationOptions _options;

    /// <summary>Creates a simulator over <paramref name="data"/>.</summary>
    public Simulator(SimulationData data, SimulationOptions options)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        _data = data;
        _options = options;
    }

    /// <summary>The requests of <paramref name="scenarios"/>, merged and sorted by time.</summary>
    public List<SimulatedRequest> Generate(IEnumerable<Scenario> scenarios)
    {
        ArgumentNullException.ThrowIfNull(scenarios);
        var all = new List<SimulatedRequest>();
        foreach (var scenario in scenarios)
        {
            var requests = new List<SimulatedRequest>();
            var random = new Random(ScenarioSeed(_options.Seed, scenario.Name));
            scenario.Generate(new ScenarioContext(random, _data, _options, scenario.Label, requests));
            all.AddRange(requests);
        }

        // A stable sort: records of equal time keep their generation order.
        return [.. all.OrderBy(r => r.Timestamp.UtcTicks)];
    }

    /// <summary>The seed of one scenario's random source: the run's seed mixed with a stable (FNV-1a) hash of its name.</summary>
    public static int ScenarioSeed(int seed, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var hash = 2166136261u;
        foreach (var c in name)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash ^ (uint)seed * 2654435761u) & int.MaxValue;
    }
}
