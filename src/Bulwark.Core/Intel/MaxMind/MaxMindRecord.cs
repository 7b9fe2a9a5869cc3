using System.Runtime.InteropServices;

namespace Bulwark.Core.Intel.MaxMind;

/// <summary>
/// The fields Bulwark uses from a City, Country, ASN or Anonymous IP record, read without allocating by
/// <see cref="MaxMindDbReader.ReadRecord"/>. Strings are the reader's interned instances. Fields the record lacks keep
/// their defaults; an empty country or city string reads as null.
/// </summary>
[StructLayout(LayoutKind.Auto)]
public readonly record struct MaxMindRecord
{
    /// <summary><c>country.iso_code</c> (or the flat <c>country_code</c> of the ip-location-db files).</summary>
    public string? CountryIsoCode { get; init; }

    /// <summary><c>city.names.en</c> (or the flat <c>city</c> string of the ip-location-db files).</summary>
    public string? CityName { get; init; }

    /// <summary>Whether both <see cref="Latitude"/> and <see cref="Longitude"/> were present.</summary>
    public bool HasLocation { get; init; }

    /// <summary><c>location.latitude</c> (or the flat <c>latitude</c>), degrees.</summary>
    public double Latitude { get; init; }

    /// <summary><c>location.longitude</c> (or the flat <c>longitude</c>), degrees.</summary>
    public double Longitude { get; init; }

    /// <summary><c>location.accuracy_radius</c> in kilometres, 0 when absent.</summary>
    public int AccuracyRadiusKm { get; init; }

    /// <summary><c>autonomous_system_number</c>, 0 when absent.</summary>
    public uint AutonomousSystemNumber { get; init; }

    /// <summary><c>autonomous_system_organization</c>.</summary>
    public string? AutonomousSystemOrganization { get; init; }

    /// <summary>The Anonymous IP flags that were present and true.</summary>
    public MaxMindAnonymousFlags Anonymous { get; init; }
}
