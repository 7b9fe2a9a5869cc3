using Bulwark.Core.Decisions;

namespace Bulwark.Core;

/// <summary>The decision engine (skeleton; filled in by the foundation work).</summary>
public sealed class BulwarkEngine
{
    /// <summary>Decides what to do with a request.</summary>
    public ValueTask<Decision> Decide(RequestContext request) => ValueTask.FromResult(Decision.NotCovered);

    /// <summary>Reports the upstream's answer.</summary>
    public ValueTask Feedback(Decision decision, RequestContext request, int statusCode, TimeSpan latency) => ValueTask.CompletedTask;
}
