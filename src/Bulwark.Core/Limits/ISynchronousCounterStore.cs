namespace Bulwark.Core.Limits;

/// <summary>A counter store that never waits (in-memory). The engine calls it directly and skips the async machinery.</summary>
public interface ISynchronousCounterStore : ICounterStore
{
    /// <summary>Same contract as <see cref="ICounterStore.ApplyAsync"/>, completed before it returns.</summary>
    void Apply(ReadOnlySpan<CounterOperation> operations, Span<CounterResult> results, long nowTicks);
}
