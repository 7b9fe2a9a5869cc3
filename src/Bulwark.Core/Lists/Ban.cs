namespace Bulwark.Core.Lists;

/// <summary>
/// A manual ban with a time to live. <see cref="Value"/> is canonical: an IP ban holds the normalised address
/// (<c>203.0.113.7</c>) or network (<c>203.0.113.0/24</c>).
/// </summary>
public sealed record Ban(BanTarget Target, string Value, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, string Reason)
{
    /// <summary>Whether the ban still applies at <paramref name="now"/> (it ends at <see cref="ExpiresAt"/>, exclusive).</summary>
    public bool IsLive(DateTimeOffset now) => now < ExpiresAt;
}
