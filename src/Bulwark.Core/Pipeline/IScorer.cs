namespace Bulwark.Core.Pipeline;

/// <summary>Turns a request's signals into a risk score from 0 to 100.</summary>
public interface IScorer
{
    /// <summary>The score of the signals gathered in <paramref name="context"/>.</summary>
    int Score(EvaluationContext context);
}
