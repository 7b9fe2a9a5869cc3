namespace Bulwark.Core.Protections;

/// <summary>
/// Spending budgets of a policy (<c>Policies:NAME:Budget</c>) in US dollars, spent by each request at its route's
/// <c>CostUsd</c>. 0 turns a budget off (the default for all four). Counted in micro-dollars in the counter store.
/// </summary>
public sealed record BudgetOptions
{
    /// <summary>Dollars one API key may spend in an hour (default 0: no budget).</summary>
    public decimal ApiKeyPerHourUsd { get; init; }

    /// <summary>Dollars one API key may spend in a day (default 0: no budget).</summary>
    public decimal ApiKeyPerDayUsd { get; init; }

    /// <summary>Dollars one actor (the session, else the account, else the client address) may spend in an hour (default 0).</summary>
    public decimal ActorPerHourUsd { get; init; }

    /// <summary>Dollars one actor may spend in a day (default 0).</summary>
    public decimal ActorPerDayUsd { get; init; }
}
