using System.Net;
using System.Net.Sockets;

namespace Bulwark.Core.Behavior;

/// <summary>
/// The keys behaviour state is kept under for one request: the actor (the most specific identity), the network client
/// (IP group × JA4 × User-Agent family, which survives logging in), and the coarser groups — IP group, subnet, fingerprint
/// cluster (JA4 × header-order hash × User-Agent family), route. Only hashes: no address, key or account is kept.
/// </summary>
internal sealed class RequestIdentity
{
    private const ulong KindSession = 0x5E55_1014;
    private const ulong KindApiKey = 0xA91_4E7;
    private const ulong KindAccount = 0xACC_0047;
    private const ulong KindClient = 0xC11E_47;

    public ulong Actor;
    public string ActorKind = "client";
    public ulong Network;
    public ulong Cluster;
    public ulong IpGroup;
    public ulong Subnet;
    public ulong Ja4;
    public ulong HeaderOrder;
    public byte UaFamily;
    public ulong Route;
    public long Resource;
    public long Ticks;

    /// <summary>Fills the keys of <paramref name="request"/>. <paramref name="route"/> is the matched route pattern or policy name.</summary>
    public void Compute(RequestContext request, string route, int ipv6Prefix)
    {
        Ticks = request.Timestamp.UtcTicks;
        var ip = request.ClientIp.IsIPv4MappedToIPv6 ? request.ClientIp.MapToIPv4() : request.ClientIp;
        Span<byte> bytes = stackalloc byte[16];
        if (!ip.TryWriteBytes(bytes, out var written))
        {
            written = 0;
        }

        var v6 = ip.AddressFamily == AddressFamily.InterNetworkV6;
        var groupBytes = v6 ? Math.Clamp((ipv6Prefix + 7) / 8, 1, 16) : written;
        if (v6 && ipv6Prefix % 8 != 0 && groupBytes <= written)
        {
            bytes[groupBytes - 1] &= (byte)(0xFF << (8 - (ipv6Prefix % 8)));
        }

        IpGroup = BehaviorHash.Of(bytes[..Math.Min(groupBytes, written)]) ^ (v6 ? 6UL : 4UL);
        Subnet = BehaviorHash.Of(bytes[..Math.Min(v6 ? 6 : 3, written)]) ^ (v6 ? 0x60UL : 0x40UL);

        UaFamily = UserAgentFamily.Of(request.Headers["user-agent"]);
        Ja4 = BehaviorHash.Of(request.Tls?.Ja4 ?? request.Tls?.Ja3);
        HeaderOrder = HeaderOrderHash(request.Headers);
        Network = BehaviorHash.Combine(BehaviorHash.Combine(IpGroup, Ja4), UaFamily);
        Cluster = BehaviorHash.NonZero(BehaviorHash.Combine(BehaviorHash.Combine(Ja4, HeaderOrder), UaFamily));
        Route = BehaviorHash.Of(route);
        Resource = NumericId(request.Path);

        if (request.Session is { Length: > 0 } session)
        {
            Actor = BehaviorHash.Combine(KindSession, BehaviorHash.Of(session));
            ActorKind = "session";
        }
        else if (request.ApiKey is { Length: > 0 } key)
        {
            Actor = BehaviorHash.Combine(KindApiKey, BehaviorHash.Of(key));
            ActorKind = "api_key";
        }
        else if (request.Account is { Length: > 0 } account)
        {
            Actor = BehaviorHash.Combine(KindAccount, AccountHash(account));
            ActorKind = "account";
        }
        else
        {
            Actor = BehaviorHash.Combine(KindClient, Network);
            ActorKind = "client";
        }
    }

    /// <summary>A short printable name of the cluster for evidence and bans (a hash: it names no client).</summary>
    public string ClusterId => "c" + Cluster.ToString("x16", System.Globalization.CultureInfo.InvariantCulture)[..12];

    /// <summary>Accounts compare case-insensitively.</summary>
    public static ulong AccountHash(string account)
    {
        Span<char> lower = account.Length <= 256 ? stackalloc char[account.Length] : new char[account.Length];
        account.AsSpan().ToLowerInvariant(lower);
        return BehaviorHash.Of(System.Runtime.InteropServices.MemoryMarshal.AsBytes((ReadOnlySpan<char>)lower));
    }

    /// <summary>Hash of the header names in client order, case-insensitive (per-process randomised string hashes, folded in order).</summary>
    public static ulong HeaderOrderHash(HeaderList headers)
    {
        var h = 14695981039346656037UL;
        foreach (var header in headers.AsSpan())
        {
            h = (h ^ (uint)header.Key.GetHashCode(StringComparison.OrdinalIgnoreCase)) * 1099511628211UL;
        }

        return h;
    }

    /// <summary>The numeric identifier of the last all-digit path segment (up to 18 digits), else -1.</summary>
    public static long NumericId(string path)
    {
        var span = path.AsSpan().TrimEnd('/');
        var slash = span.LastIndexOf('/');
        var segment = slash >= 0 ? span[(slash + 1)..] : span;
        if (segment.Length is 0 or > 18)
        {
            return -1;
        }

        long value = 0;
        foreach (var c in segment)
        {
            if (c is < '0' or > '9')
            {
                return -1;
            }

            value = (value * 10) + (c - '0');
        }

        return value;
    }
}
