namespace Bulwark.Core.Tests.Simulation;

/// <summary>
/// The simulation tests allocate hundreds of megabytes (real data, 100,000-request scenarios); they run alone, after
/// the parallel collections, so tests that measure the process heap (CounterStoreMemoryTests) are not disturbed.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SimulationCollection
{
    public const string Name = "Simulation (alone: allocates heavily)";
}
