namespace Bulwark.Core.Simulation;

/// <summary>One kind of traffic: a kebab-case name, the label its records carry, and how it is generated.</summary>
public abstract class Scenario
{
    /// <summary>The name <c>--scenario</c> takes (kebab-case).</summary>
    public abstract string Name { get; }

    /// <summary>The label of every record (<c>legit:kind</c> or <c>attack:kind</c>).</summary>
    public abstract string Label { get; }

    /// <summary>One line saying what the traffic is.</summary>
    public abstract string Description { get; }

    /// <summary>Whether the traffic is wanted.</summary>
    public bool IsLegit => Label.StartsWith("legit", StringComparison.Ordinal);

    /// <summary>Generates the scenario's requests into <paramref name="context"/> (any order; the simulator sorts).</summary>
    public abstract void Generate(ScenarioContext context);
}
