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
        var signals = context.Signals;
        for (var i = 0; i < signals.Count; i++)
        {
            sum += signals[i].Weight;
        }

        return Math.Clamp(sum, 0, 100);
    }
}
