using Bulwark.Core.Protections;

namespace Bulwark.AspNetCore;

/// <summary>
/// Present in <c>HttpContext.Features</c> on requests of a policy with a login preset: the application reports whether
/// the credentials were accepted, which beats the response status for the preset's failure counters. See
/// <see cref="BulwarkHttpContextExtensions.ReportLoginFailure"/>.
/// </summary>
public interface IBulwarkLoginFeature
{
    /// <summary>What the application reported so far (<see cref="LoginOutcome.Unknown"/> until it does).</summary>
    LoginOutcome Outcome { get; }

    /// <summary>Reports the outcome; the last report before the response ends counts.</summary>
    void Report(LoginOutcome outcome);
}
