using Bulwark.Core.Decisions;
using Bulwark.Core.Intel;
using Bulwark.Core.Policy;

namespace Bulwark.Core.Pipeline;

/// <summary>
/// The mutable scratchpad of one decision: facts from enrichers, signals from detectors, risk tiers. Lives only for the
/// duration of one <see cref="BulwarkEngine.Decide"/> call.
/// </summary>
public sealed class EvaluationContext
{
    private List<DecisionReason>? _signals;
    private List<string>? _tiers;

    internal EvaluationContext(CompiledPolicy policy, string? route)
    {
        Policy = policy;
        Route = route;
    }

    /// <summary>The policy being applied.</summary>
    public CompiledPolicy Policy { get; }

    /// <summary>The matched route pattern, or null when the policy came from endpoint metadata without one.</summary>
    public string? Route { get; }

    /// <summary>Autonomous system number of the client address, when an enricher knows it.</summary>
    public long? Asn { get; set; }

    /// <summary>ISO 3166 country code of the client address, when an enricher knows it.</summary>
    public string? Country { get; set; }

    /// <summary>What IP intelligence knows of the client address (<see cref="IpInfo.Unknown"/> without a database).</summary>
    public IpInfo Network { get; set; }

    /// <summary>Signals gathered so far, with their effective weights.</summary>
    public IReadOnlyList<DecisionReason> Signals => (IReadOnlyList<DecisionReason>?)_signals ?? [];

    /// <summary>Risk tiers the request is in (for example <c>hosting</c>). Tiered limits pick their rate from these.</summary>
    public IReadOnlyList<string> Tiers => (IReadOnlyList<string>?)_tiers ?? [];

    /// <summary>
    /// Records a signal. The policy may override <paramref name="defaultWeight"/> (a weight of 0 drops the signal).
    /// </summary>
    public void AddSignal(string signal, int defaultWeight, string detail)
    {
        var weight = Policy.WeightOf(signal, defaultWeight);
        if (weight <= 0)
        {
            return;
        }

        (_signals ??= new List<DecisionReason>(4)).Add(new DecisionReason(signal, weight, detail));
    }

    /// <summary>Records a signal whose evidence is formatted only when it is read (see <see cref="DeferredDetail"/>).</summary>
    internal void AddSignal(string signal, int defaultWeight, DeferredDetail detail)
    {
        var weight = Policy.WeightOf(signal, defaultWeight);
        if (weight <= 0)
        {
            return;
        }

        (_signals ??= new List<DecisionReason>(4)).Add(new DecisionReason(signal, weight, detail));
    }

    /// <summary>Puts the request in a risk tier (idempotent).</summary>
    public void AddTier(string tier)
    {
        _tiers ??= new List<string>(2);
        if (!_tiers.Contains(tier))
        {
            _tiers.Add(tier);
        }
    }

    /// <summary>Whether the request is in <paramref name="tier"/>.</summary>
    public bool HasTier(string tier) => _tiers is not null && _tiers.Contains(tier);
}
