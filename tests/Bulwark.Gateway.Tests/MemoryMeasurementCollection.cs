namespace Bulwark.Gateway.Tests;

/// <summary>Tests that measure this process's memory run alone.</summary>
[CollectionDefinition(nameof(MemoryMeasurementCollection), DisableParallelization = true)]
public sealed class MemoryMeasurementCollection;
