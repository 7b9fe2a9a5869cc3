namespace Bulwark.Core.Policy;

/// <summary>
/// <c>Bulwark:Gateway:Admin</c>: the admin API under <c>/.bulwark/admin/</c>, reachable only with a bearer token and,
/// unless <see cref="AllowRemote"/>, only from loopback. Default: no tokens, so the API is off (404).
/// </summary>
public sealed record GatewayAdminOptions
{
    /// <summary>The accepted tokens, each with a role. Default: none.</summary>
    public IReadOnlyList<GatewayAdminTokenOptions> Tokens { get; init; } = [];

    /// <summary>Accept admin calls from non-loopback peers. Default false.</summary>
    public bool AllowRemote { get; init; }
}
