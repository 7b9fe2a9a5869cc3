using Bulwark.Core.Pipeline;

namespace Bulwark.Core.Fingerprints;

/// <summary>
/// Signals <c>no_user_agent</c> (default weight 15) when a request carries no User-Agent: every browser and mainstream
/// HTTP library sends one, so its absence marks a hand-rolled client. Weight it to 0 in a policy for machine-to-machine APIs.
/// </summary>
public sealed class UserAgentPresenceDetector : IDetector
{
    /// <summary>The signal name.</summary>
    public const string Signal = "no_user_agent";

    /// <inheritdoc />
    public void Detect(RequestContext request, EvaluationContext context)
    {
        if (string.IsNullOrWhiteSpace(request.Headers["user-agent"]))
        {
            context.AddSignal(Signal, 15, "request has no User-Agent header");
        }
    }
}
