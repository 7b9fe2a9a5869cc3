using System.Net;

namespace Bulwark.Core.Intel;

/// <summary>
/// Local IP intelligence: answers from memory, well under a microsecond, without allocating. Implemented by the compiled
/// database that <c>bulwark ipdb build</c> writes (and by test doubles).
/// </summary>
public interface IIpIntelLookup
{
    /// <summary>The names of the sources the database was built from, in build order (bit i of <see cref="IpInfo.SourceMask"/>).</summary>
    IReadOnlyList<string> Sources { get; }

    /// <summary>What is known about <paramref name="address"/> (IPv4, IPv6, or IPv4-mapped IPv6), or <see cref="IpInfo.Unknown"/>.</summary>
    IpInfo Lookup(IPAddress address);
}
