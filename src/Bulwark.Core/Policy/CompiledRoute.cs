namespace Bulwark.Core.Policy;

/// <summary>A route of the configuration, ready to match.</summary>
public sealed class CompiledRoute
{
    private readonly string[] _methods;

    internal CompiledRoute(string name, string[] methods, RoutePattern pattern, CompiledPolicy policy, int cost)
    {
        Name = name;
        _methods = methods;
        Pattern = pattern;
        Policy = policy;
        Cost = cost;
    }

    /// <summary>The route's name (default: its path pattern).</summary>
    public string Name { get; }

    /// <summary>Methods covered, upper case; empty for all.</summary>
    public IReadOnlyList<string> Methods => _methods;

    /// <summary>The path pattern.</summary>
    public RoutePattern Pattern { get; }

    /// <summary>The policy applied.</summary>
    public CompiledPolicy Policy { get; }

    /// <summary>Permits a request spends from cost-counting limits.</summary>
    public int Cost { get; }

    /// <summary>What one call costs, in US dollars (0: nothing).</summary>
    public decimal CostUsd => Bulwark.Core.Protections.Money.ToUsd(CostMicroUsd);

    /// <summary>What one call costs, in micro-dollars: what budgets spend and refusals save.</summary>
    internal long CostMicroUsd { get; init; }

    internal bool IsMatch(string method, ReadOnlySpan<char> path)
    {
        if (_methods.Length > 0)
        {
            var found = false;
            foreach (var m in _methods)
            {
                if (string.Equals(m, method, StringComparison.OrdinalIgnoreCase))
                {
                    found = true;
                    break;
                }
            }

            if (!found)
            {
                return false;
            }
        }

        return Pattern.IsMatch(path);
    }
}
