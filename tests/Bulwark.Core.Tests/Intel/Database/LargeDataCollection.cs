namespace Bulwark.Core.Tests.Intel.Database;

/// <summary>
/// Tests that build from the full data allocate hundreds of megabytes; they run alone, after the parallel tests, so that
/// tests measuring process-wide memory (CounterStoreMemoryTests) do not see their garbage.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LargeDataCollection
{
    public const string Name = "IP intelligence full data";
}
