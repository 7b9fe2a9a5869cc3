using Bulwark.Core.Pipeline;

namespace Bulwark.Core.Scoring;

/// <summary>The default scorer: the sum of signal weights, clamped to 0–100. Simple, explainable, order-free.</summary>
public sealed class SumScorer : IScorer
{
    /// <summary>The shared instance.</summary>
    public static SumScorer Instance { get; } = new();

    /// <inheritdoc />
    public int Score(EvaluationContext context)
    {
        var sum = 0;
        foreach (var signal in context.Signals)
        {
            sum += signal.Weight;
        }

        return Math.Clamp(sum, 0, 100);
    }
}
