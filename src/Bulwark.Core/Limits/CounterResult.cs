using System.Runtime.InteropServices;

namespace Bulwark.Core.Limits;

/// <summary>The outcome of one <see cref="CounterOperation"/>.</summary>
[StructLayout(LayoutKind.Auto)]
public struct CounterResult
{
    /// <summary>Whether this operation's own check passed. For Acquire, the batch spends only if all passed.</summary>
    public bool Allowed;

    /// <summary>Whether the permits were actually spent (false for Peek, and for Acquire when another operation refused).</summary>
    public bool Spent;

    /// <summary>Whole permits left after the operation (0 when none or in debt).</summary>
    public long Remaining;

    /// <summary>Ticks until the counter is whole again (bucket full, window rolled over, or 0 for concurrency).</summary>
    public long ResetAfterTicks;

    /// <summary>When refused: ticks until an operation of the same cost can pass. 0 when allowed.</summary>
    public long RetryAfterTicks;

    /// <summary>When admitted late (see <see cref="CounterOperation.MaxDelayTicks"/>): ticks to hold the request. Else 0.</summary>
    public long DelayTicks;
}
