namespace Bulwark.Core.Tests.Intel.MaxMind;

/// <summary>
/// The MaxMind tests hold tens to hundreds of megabytes live (whole database files, millions of enumerated networks), so
/// they run alone, after the parallel tests: process-wide measurements such as the counter store's bytes-per-key test
/// (GC.GetTotalMemory) must not see them.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MaxMindTestCollection
{
    public const string Name = "MaxMind (not parallel: large live heaps)";
}
