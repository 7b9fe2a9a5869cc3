namespace Bulwark.AspNetCore.Metadata;

/// <summary>Applies the named Bulwark policy to a controller, action or endpoint, whatever the route table says.</summary>
/// <param name="policyName">The policy's name in the configuration.</param>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = false, Inherited = true)]
public sealed class BulwarkPolicyAttribute(string policyName) : Attribute, IBulwarkPolicyMetadata
{
    /// <inheritdoc />
    public string PolicyName { get; } = policyName;
}
