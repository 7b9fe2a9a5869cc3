using Bulwark.Core.Decisions;

namespace Bulwark.Core.Pipeline;

/// <summary>
/// Turns facts and history into signals (a name, a weight, evidence). Each detector is small and testable on its own.
/// </summary>
public interface IDetector
{
    /// <summary>Adds this detector's signals for <paramref name="request"/> through <see cref="EvaluationContext.AddSignal(string, int, string)"/>.</summary>
    void Detect(RequestContext request, EvaluationContext context);

    /// <summary>Learns from the upstream's answer (status 0: the client went away before one). Default: nothing.</summary>
    void Observe(RequestContext request, Decision decision, int statusCode, TimeSpan latency)
    {
    }
}
