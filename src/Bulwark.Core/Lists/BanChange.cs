namespace Bulwark.Core.Lists;

/// <summary>
/// One change to a <see cref="BanList"/>: a ban added or replaced (<see cref="Ban"/> set, as stored after merging with
/// an existing ban), or lifted (<see cref="Ban"/> null). <see cref="Value"/> is canonical, like <see cref="Ban.Value"/>.
/// Expired bans purged from the list raise no change.
/// </summary>
public sealed record BanChange(BanTarget Target, string Value, Ban? Ban)
{
    /// <summary>Whether the ban was lifted.</summary>
    public bool IsRemoval => Ban is null;
}
