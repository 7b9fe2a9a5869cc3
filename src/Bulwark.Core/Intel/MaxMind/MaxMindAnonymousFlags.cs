namespace Bulwark.Core.Intel.MaxMind;

/// <summary>The boolean fields of a GeoIP2 Anonymous IP record that were present and true.</summary>
[Flags]
public enum MaxMindAnonymousFlags : byte
{
    /// <summary>None of the flags was set (or the database has none).</summary>
    None = 0,

    /// <summary><c>is_anonymous</c>.</summary>
    Anonymous = 1 << 0,

    /// <summary><c>is_anonymous_vpn</c>.</summary>
    AnonymousVpn = 1 << 1,

    /// <summary><c>is_hosting_provider</c>.</summary>
    HostingProvider = 1 << 2,

    /// <summary><c>is_public_proxy</c>.</summary>
    PublicProxy = 1 << 3,

    /// <summary><c>is_tor_exit_node</c>.</summary>
    TorExitNode = 1 << 4,

    /// <summary><c>is_residential_proxy</c>.</summary>
    ResidentialProxy = 1 << 5,
}
