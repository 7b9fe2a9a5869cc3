using Bulwark.Core.Decisions;

namespace Bulwark.Core.Audit;

/// <summary>Receives every covered decision (a decision log, an audit trail). Must not block: queue and return.</summary>
public interface IDecisionSink
{
    /// <summary>Records <paramref name="decision"/> for <paramref name="request"/>.</summary>
    /// <param name="decision">The decision.</param>
    /// <param name="request">The request it was made for.</param>
    /// <param name="line">The input line number in replay, else null.</param>
    /// <param name="label">The input's label in replay, else null.</param>
    void Record(Decision decision, RequestContext request, long? line = null, string? label = null);
}
