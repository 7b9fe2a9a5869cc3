namespace Bulwark.AspNetCore.Metadata;

/// <summary>Endpoint metadata naming the Bulwark policy for an endpoint; overrides the configured route table.</summary>
public interface IBulwarkPolicyMetadata
{
    /// <summary>The policy's name in the configuration.</summary>
    string PolicyName { get; }
}
