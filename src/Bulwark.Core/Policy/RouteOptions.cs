namespace Bulwark.Core.Policy;

/// <summary>Binds requests to a policy by method and path.</summary>
public sealed record RouteOptions
{
    /// <summary>Name for logs (default: the path).</summary>
    public string? Name { get; init; }

    /// <summary>Methods this route covers, upper case. Empty: every method.</summary>
    public IReadOnlyList<string> Methods { get; init; } = [];

    /// <summary>
    /// Path pattern: literal segments, <c>{name}</c> for one segment, <c>*</c> for one segment, and a final <c>**</c> (or
    /// <c>{**rest}</c>) for any remainder. Case-insensitive. Example: <c>/api/products/{id}</c>.
    /// </summary>
    public string Path { get; init; } = "";

    /// <summary>The policy applied to matching requests.</summary>
    public string Policy { get; init; } = "";

    /// <summary>Permits a request to this route spends from limits that count cost (default 1).</summary>
    public int Cost { get; init; } = 1;

    /// <summary>What one call costs in US dollars (default 0), spent from the policy's <c>Budget</c> and counted as money saved when refused.</summary>
    public decimal CostUsd { get; init; }
}
