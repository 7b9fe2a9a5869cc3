namespace Bulwark.AspNetCore.Metadata;

/// <summary>Exempts a controller, action or endpoint from Bulwark.</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = false, Inherited = true)]
public sealed class DisableBulwarkAttribute : Attribute, IDisableBulwarkMetadata
{
}
