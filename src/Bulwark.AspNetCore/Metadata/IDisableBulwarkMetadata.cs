namespace Bulwark.AspNetCore.Metadata;

/// <summary>Endpoint metadata that exempts an endpoint from Bulwark entirely.</summary>
public interface IDisableBulwarkMetadata
{
}
