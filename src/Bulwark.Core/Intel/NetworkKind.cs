namespace Bulwark.Core.Intel;

/// <summary>What kind of network an address belongs to. Several can hold at once (a hosting network that runs a VPN).</summary>
[Flags]
public enum NetworkKind : ushort
{
    /// <summary>Nothing known.</summary>
    None = 0,

    /// <summary>A consumer access network (home broadband).</summary>
    Residential = 1 << 0,

    /// <summary>A mobile carrier network; often carrier-grade NAT, thousands of users behind one address.</summary>
    Mobile = 1 << 1,

    /// <summary>A hosting, cloud or datacenter network.</summary>
    Hosting = 1 << 2,

    /// <summary>A commercial VPN exit.</summary>
    Vpn = 1 << 3,

    /// <summary>A Tor exit relay.</summary>
    Tor = 1 << 4,

    /// <summary>An open or anonymising proxy.</summary>
    Proxy = 1 << 5,

    /// <summary>Not routable on the public Internet (reserved, documentation, unallocated).</summary>
    Bogon = 1 << 6,

    /// <summary>A private or local range (RFC 1918, loopback, link-local, ULA, CGNAT shared space 100.64.0.0/10).</summary>
    Private = 1 << 7,

    /// <summary>On an operator's own allow list source.</summary>
    OperatorAllow = 1 << 8,

    /// <summary>On an operator's own deny list source.</summary>
    OperatorDeny = 1 << 9,
}
