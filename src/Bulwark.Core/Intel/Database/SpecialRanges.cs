using Bulwark.Core.Net;

namespace Bulwark.Core.Intel.Database;

/// <summary>
/// The built-in ranges every database carries as its first source: private and local space as
/// <see cref="NetworkKind.Private"/>, documentation, reserved and multicast space as <see cref="NetworkKind.Bogon"/>.
/// </summary>
/// <remarks>
/// 6to4 (2002::/16) and Teredo (2001::/32) are deliberately absent and never unwrapped: the IPv4 address inside them
/// names a relay or a NAT, not the client, and unwrapping would let a client choose its own reputation. They are looked up
/// as the IPv6 networks they are.
/// </remarks>
internal sealed class SpecialRanges : IIpRangeSource
{
    public const string SourceName = "bulwark:special-ranges";

    private static readonly (string Network, NetworkKind Kind)[] Networks =
    [
        ("0.0.0.0/8", NetworkKind.Bogon),
        ("10.0.0.0/8", NetworkKind.Private),
        ("100.64.0.0/10", NetworkKind.Private),
        ("127.0.0.0/8", NetworkKind.Private),
        ("169.254.0.0/16", NetworkKind.Private),
        ("172.16.0.0/12", NetworkKind.Private),
        ("192.0.0.0/24", NetworkKind.Bogon),
        ("192.0.2.0/24", NetworkKind.Bogon),
        ("192.168.0.0/16", NetworkKind.Private),
        ("198.18.0.0/15", NetworkKind.Bogon),
        ("198.51.100.0/24", NetworkKind.Bogon),
        ("203.0.113.0/24", NetworkKind.Bogon),
        ("224.0.0.0/4", NetworkKind.Bogon),
        ("240.0.0.0/4", NetworkKind.Bogon),
        ("::/128", NetworkKind.Bogon),
        ("::1/128", NetworkKind.Private),
        ("100::/64", NetworkKind.Bogon),
        ("2001:db8::/32", NetworkKind.Bogon),
        ("3fff::/20", NetworkKind.Bogon),
        ("fc00::/7", NetworkKind.Private),
        ("fe80::/10", NetworkKind.Private),
        ("ff00::/8", NetworkKind.Bogon),
    ];

    public string Name => SourceName;

    public string? FilePath => null;

    public IEnumerable<IpIntelRange> ReadRanges(IpIntelBuildReport report)
    {
        foreach ((string network, NetworkKind kind) in Networks)
        {
            IpNetworkSet.TryParseNetwork(network, out UInt128 start, out int prefix, out bool isV6, out _);
            yield return new IpIntelRange(start, IpAddressExtensions.NetworkEnd(start, prefix, isV6), isV6, new IpInfo { Kinds = kind }, 0);
        }
    }
}
