namespace Bulwark.Core.Limits;

/// <summary>
/// Where counters live. One call carries every counter operation of one request, so a networked store (Redis) makes one
/// round trip per request. An in-memory implementation completes synchronously.
/// </summary>
public interface ICounterStore
{
    /// <summary>
    /// Applies <paramref name="operations"/> at time <paramref name="nowTicks"/> (UTC ticks of the request's timestamp)
    /// and writes one result per operation into <paramref name="results"/>. Acquire operations are all-or-nothing: if
    /// any refuses, none spends. Peek, Charge and Release apply independently.
    /// </summary>
    ValueTask ApplyAsync(ReadOnlyMemory<CounterOperation> operations, Memory<CounterResult> results, long nowTicks, CancellationToken cancellationToken = default);
}
