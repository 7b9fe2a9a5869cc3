using Bulwark.Core.Pipeline;

namespace Bulwark.Core.Identity;

/// <summary>
/// Signals <c>ua_tls_mismatch</c> (default weight 60) when the User-Agent claims a browser but the catalogue says the TLS
/// fingerprint belongs to a library or tool (curl, python-requests, Go …), or to a different browser engine. A browser's
/// TLS stack cannot be changed by a header, so this is the strongest identity signal: with the missing browser headers
/// that usually come with it, the request scores 85 and more.
/// </summary>
public sealed class UaTlsMismatchDetector(ClientIdentity identity) : IDetector
{
    /// <summary>The signal name.</summary>
    public const string Signal = "ua_tls_mismatch";

    /// <summary>The default weight.</summary>
    public const int DefaultWeight = 60;

    /// <inheritdoc />
    public void Detect(RequestContext request, EvaluationContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var ua = identity.UserAgents.Parse(request.Headers["user-agent"]);
        if (!ua.IsBrowser || identity.Family(request) is not { } tls)
        {
            return;
        }

        var claimed = $"{ua.Family}{(ua.Major is { } major ? " " + major : "")}";
        if (!tls.IsBrowser)
        {
            context.AddSignal(Signal, DefaultWeight, $"User-Agent says {claimed}, TLS fingerprint says {tls.Family}");
        }
        else if (!SameEngine(ua.Engine, tls.Family))
        {
            context.AddSignal(Signal, DefaultWeight, $"User-Agent says {claimed} ({ua.Engine}), TLS fingerprint says {tls.Family}");
        }
    }

    private static bool SameEngine(string? engine, string family) => (engine, family) switch
    {
        ("chromium", "chromium") => true,
        ("gecko", "firefox") => true,
        ("webkit", "safari") => true,
        _ => false,
    };
}
