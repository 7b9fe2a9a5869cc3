using Bulwark.AspNetCore.Metadata;
using Microsoft.AspNetCore.Builder;

namespace Bulwark.AspNetCore;

/// <summary>Convention methods for minimal-API endpoints, mirroring <c>RequireRateLimiting</c>.</summary>
public static class BulwarkEndpointConventionBuilderExtensions
{
    /// <summary>Applies the named Bulwark policy to these endpoints.</summary>
    public static TBuilder RequireBulwarkPolicy<TBuilder>(this TBuilder builder, string policyName)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(policyName);
        var metadata = new BulwarkPolicyAttribute(policyName);
        builder.Add(endpoint => endpoint.Metadata.Add(metadata));
        return builder;
    }

    /// <summary>Exempts these endpoints from Bulwark.</summary>
    public static TBuilder DisableBulwark<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        var metadata = new DisableBulwarkAttribute();
        builder.Add(endpoint => endpoint.Metadata.Add(metadata));
        return builder;
    }
}
