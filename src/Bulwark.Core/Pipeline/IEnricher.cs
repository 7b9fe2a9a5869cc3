namespace Bulwark.Core.Pipeline;

/// <summary>
/// Adds facts to a request's evaluation before detectors run: IP intelligence, client identity, API key record.
/// Runs on the request path: no I/O, no blocking; keep it to lookups in memory.
/// </summary>
public interface IEnricher
{
    /// <summary>Adds what this enricher knows about <paramref name="request"/> to <paramref name="context"/>.</summary>
    void Enrich(RequestContext request, EvaluationContext context);
}
