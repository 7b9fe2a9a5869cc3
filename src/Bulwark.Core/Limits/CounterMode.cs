namespace Bulwark.Core.Limits;

/// <summary>What a counter operation does.</summary>
public enum CounterMode : byte
{
    /// <summary>Check, and spend <c>Cost</c> only if every Acquire operation of the batch is allowed (all or nothing).</summary>
    Acquire = 0,

    /// <summary>Check that <c>Cost</c> permits are available without spending them (failure-only limits at decision time).</summary>
    Peek = 1,

    /// <summary>Spend <c>Cost</c> unconditionally (failure-only limits on feedback). The result reports the state after.</summary>
    Charge = 2,

    /// <summary>Return <c>Cost</c> permits to a concurrency counter (a lease ends).</summary>
    Release = 3,
}
