using Bulwark.Core.Protections;
using Microsoft.AspNetCore.Http;

namespace Bulwark.AspNetCore;

/// <summary>Lets an in-process application tell Bulwark's login preset how a login attempt ended.</summary>
public static class BulwarkHttpContextExtensions
{
    /// <summary>Reports that the credentials were refused. Returns false when no login preset covers this request.</summary>
    public static bool ReportLoginFailure(this HttpContext context) => Report(context, LoginOutcome.Failure);

    /// <summary>Reports that the credentials were accepted. Returns false when no login preset covers this request.</summary>
    public static bool ReportLoginSuccess(this HttpContext context) => Report(context, LoginOutcome.Success);

    private static bool Report(HttpContext context, LoginOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Features.Get<IBulwarkLoginFeature>() is not { } feature)
        {
            return false;
        }

        feature.Report(outcome);
        return true;
    }
}
