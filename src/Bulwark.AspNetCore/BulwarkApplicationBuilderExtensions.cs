using Microsoft.AspNetCore.Builder;

namespace Bulwark.AspNetCore;

/// <summary>Adds Bulwark to the request pipeline.</summary>
public static class BulwarkApplicationBuilderExtensions
{
    /// <summary>
    /// Adds the Bulwark middleware. Place it after <c>UseRouting</c> so endpoint metadata (<see cref="Metadata.BulwarkPolicyAttribute"/>)
    /// is visible; before it, only the configured route table applies.
    /// </summary>
    public static IApplicationBuilder UseBulwark(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.UseMiddleware<BulwarkMiddleware>();
    }
}
