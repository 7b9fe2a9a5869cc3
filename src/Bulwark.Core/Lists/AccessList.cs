using System.Net;
using Bulwark.Core.Net;
using Bulwark.Core.Policy;

namespace Bulwark.Core.Lists;

/// <summary>
/// One static allow or deny list, compiled from <see cref="ListOptions"/>: networks, API keys (exact match) and accounts
/// (case-insensitive). Immutable and safe to share between threads.
/// </summary>
public sealed class AccessList
{
    private readonly IpNetworkSet _networks;
    private readonly HashSet<string> _apiKeys;
    private readonly HashSet<string> _accounts;

    private AccessList(IpNetworkSet networks, HashSet<string> apiKeys, HashSet<string> accounts)
    {
        _networks = networks;
        _apiKeys = apiKeys;
        _accounts = accounts;
        IsEmpty = networks.IsEmpty && apiKeys.Count == 0 && accounts.Count == 0;
    }

    /// <summary>A list that matches nothing.</summary>
    public static AccessList Empty { get; } = new(IpNetworkSet.Empty, new(StringComparer.Ordinal), new(StringComparer.OrdinalIgnoreCase));

    /// <summary>True when the list has no entries; <see cref="TryMatch"/> then returns at once.</summary>
    public bool IsEmpty { get; }

    /// <summary>The networks of the list.</summary>
    public IpNetworkSet Networks => _networks;

    /// <summary>Compiles <paramref name="options"/>; throws a <see cref="FormatException"/> naming every bad CIDR.</summary>
    public static AccessList Create(ListOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!IpNetworkSet.TryParse(options.Cidrs, out IpNetworkSet networks, out IReadOnlyList<string> errors))
        {
            throw new FormatException("Invalid Cidrs in the list: " + string.Join("; ", errors));
        }

        var apiKeys = new HashSet<string>(StringComparer.Ordinal);
        foreach (string key in options.ApiKeys)
        {
            if (!string.IsNullOrEmpty(key))
            {
                apiKeys.Add(key);
            }
        }

        var accounts = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (string account in options.Accounts)
        {
            if (!string.IsNullOrWhiteSpace(account))
            {
                accounts.Add(account);
            }
        }

        return networks.IsEmpty && apiKeys.Count == 0 && accounts.Count == 0 ? Empty : new AccessList(networks, apiKeys, accounts);
    }

    /// <summary>
    /// Whether the request's address, API key or account is on the list, checked in that order. <paramref name="detail"/>
    /// says which (<c>ip in 203.0.113.0/24</c>, <c>api key on list</c>, <c>account on list</c>); it names the listed network
    /// but never the client's own address, key or account, because decision reasons leave the process.
    /// </summary>
    public bool TryMatch(IPAddress ip, string? apiKey, string? account, out string detail)
    {
        ArgumentNullException.ThrowIfNull(ip);
        detail = string.Empty;
        if (IsEmpty)
        {
            return false;
        }

        if (_networks.TryFind(ip, out string? network))
        {
            detail = "ip in " + network;
            return true;
        }

        if (apiKey is not null && _apiKeys.Contains(apiKey))
        {
            detail = "api key on list";
            return true;
        }

        if (account is not null && _accounts.Contains(account))
        {
            detail = "account on list";
            return true;
        }

        return false;
    }
}
