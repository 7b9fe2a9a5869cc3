using System.Runtime.InteropServices;

namespace Bulwark.Core.Intel;

/// <summary>
/// What the IP intelligence database knows about one address. A value type whose strings live in the database's string
/// table, so a lookup allocates nothing.
/// </summary>
[StructLayout(LayoutKind.Auto)]
public readonly record struct IpInfo
{
    /// <summary>Nothing known.</summary>
    public static IpInfo Unknown => default;

    /// <summary>Autonomous system number, 0 when unknown.</summary>
    public uint Asn { get; init; }

    /// <summary>The AS organisation, when known.</summary>
    public string? Organisation { get; init; }

    /// <summary>ISO 3166-1 alpha-2 country code (upper case), when known.</summary>
    public string? Country { get; init; }

    /// <summary>Whether <see cref="Latitude"/> and <see cref="Longitude"/> hold a location.</summary>
    public bool HasLocation { get; init; }

    /// <summary>Latitude in degrees.</summary>
    public double Latitude { get; init; }

    /// <summary>Longitude in degrees.</summary>
    public double Longitude { get; init; }

    /// <summary>Accuracy radius of the location in kilometres, 0 when unknown.</summary>
    public int AccuracyRadiusKm { get; init; }

    /// <summary>Network kinds the address belongs to.</summary>
    public NetworkKind Kinds { get; init; }

    /// <summary>Bit i set: source i of the database (see <see cref="IIpIntelLookup.Sources"/>) matched this address.</summary>
    public ulong SourceMask { get; init; }

    /// <summary>Whether any source knew anything about the address.</summary>
    public bool IsKnown => Asn != 0 || Country is not null || HasLocation || Kinds != NetworkKind.None;
}
