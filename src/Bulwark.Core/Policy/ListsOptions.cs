namespace Bulwark.Core.Policy;

/// <summary>Static allow and deny lists. Allow wins over deny; both win over every limit and signal.</summary>
public sealed record ListsOptions
{
    /// <summary>Clients never limited or refused (decisions still logged).</summary>
    public ListOptions Allow { get; init; } = new();

    /// <summary>Clients always refused with 403.</summary>
    public ListOptions Deny { get; init; } = new();
}

/// <summary>One list: addresses, API keys and accounts.</summary>
public sealed record ListOptions
{
    /// <summary>Addresses or networks in CIDR notation (<c>203.0.113.0/24</c>, <c>2001:db8::/32</c>; a bare address is a /32 or /128).</summary>
    public IReadOnlyList<string> Cidrs { get; init; } = [];

    /// <summary>API keys, exact match.</summary>
    public IReadOnlyList<string> ApiKeys { get; init; } = [];

    /// <summary>Accounts, matched case-insensitively.</summary>
    public IReadOnlyList<string> Accounts { get; init; } = [];
}
