using Bulwark.Core.Behavior;
using Bulwark.Core.Decisions;
using Bulwark.Core.Net;
using Bulwark.Core.Pipeline;

namespace Bulwark.Core.Scoring;

/// <summary>
/// Turns repeated score blocks into bans: an IP group blocked by its score <see cref="OffenderOptions.BlocksBeforeBan"/>
/// times within the window is banned, each further ban twice as long (<see cref="OffenderEscalation"/>). Enforced
/// decisions only: monitor mode bans nobody, and mobile (CGNAT) addresses are never banned this way.
/// </summary>
public sealed class RepeatOffenderDetector(BehaviorState state) : IDetector
{
    /// <inheritdoc />
    public void Detect(RequestContext request, EvaluationContext context)
    {
    }

    /// <inheritdoc />
    public void Observe(RequestContext request, Decision decision, int statusCode, TimeSpan latency)
    {
        // Never an address that carrier-grade NAT shares among thousands of people.
        if (!decision.Enforced || decision.Action != DecisionAction.Block || decision.ReasonCode != ReasonCodes.HighRisk || decision.Tiers.Contains("mobile"))
        {
            return;
        }

        var identity = state.Identify(request, decision);
        if (state.Offenders.RecordBlock(identity.IpGroup, request.Timestamp))
        {
            var ip = request.ClientIp.IsIPv4MappedToIPv6 ? request.ClientIp.MapToIPv4() : request.ClientIp;
            state.Offenders.Ban(identity.IpGroup, ip.FormatGroup(state.Ipv6Prefix), "repeatedly blocked for risk", request.Timestamp);
        }
    }
}
