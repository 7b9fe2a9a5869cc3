using System.Diagnostics.CodeAnalysis;

namespace Bulwark.Core.Limits;

/// <summary>The argument checks every counter store applies to an operation before touching state.</summary>
public static class CounterOperationValidation
{
    /// <summary>Throws <see cref="ArgumentException"/> naming operation <paramref name="index"/> and how to fix it when it is malformed.</summary>
    public static void Validate(in CounterOperation op, int index) => Validate(op, index, keyedByHash: false);

    /// <summary>As <see cref="Validate(in CounterOperation, int)"/>; a store keying counters by hash alone (<paramref name="keyedByHash"/>) accepts a <see cref="CounterOperation.KeyHash"/> instead of a key.</summary>
    internal static void Validate(in CounterOperation op, int index, bool keyedByHash)
    {
        if (op.Key is null && (!keyedByHash || op.KeyHash == 0))
        {
            ThrowInvalid(index, "has no Key; set it to the limit name and the client value, like 'login-ip|203.0.113.7'");
        }

        if (op.PeriodTicks <= 0)
        {
            ThrowInvalid(index, "needs a PeriodTicks above 0; use TimeSpan ticks, like TimeSpan.FromMinutes(1).Ticks");
        }

        if (op.Permits < 0 || op.Cost < 0)
        {
            ThrowInvalid(index, "has a negative Permits or Cost; use 0 or more (Permits 0 refuses everything)");
        }

        if ((op.Algorithm is LimitAlgorithm.TokenBucket or LimitAlgorithm.Gcra) && op.Burst < 1)
        {
            ThrowInvalid(index, "needs a Burst of at least 1 for a token bucket or GCRA; set it to Permits for a bucket of one period");
        }

        if (op.Algorithm > LimitAlgorithm.Concurrency || op.Mode > CounterMode.Release)
        {
            ThrowInvalid(index, "has an unknown Algorithm or Mode");
        }
    }

    [DoesNotReturn]
    private static void ThrowInvalid(int index, string problem) =>
        throw new ArgumentException($"Operation {index} {problem}.", "operations");
}
