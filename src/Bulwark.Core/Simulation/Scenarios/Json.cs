namespace Bulwark.Core.Simulation.Scenarios;

/// <summary>Builds JSON bodies for simulated requests.</summary>
internal static class Json
{
    public static KeyValuePair<string, object>[] Body(params (string Name, object Value)[] fields) =>
        [.. fields.Select(f => new KeyValuePair<string, object>(f.Name, f.Value))];
}
