using System.Globalization;
using Bulwark.Core.Decisions;
using Bulwark.Core.Pipeline;

namespace Bulwark.Core.Behavior;

/// <summary>
/// Enumeration per actor: numeric identifiers walked in small steps (<c>enumeration_sequential</c>), a high share of 404
/// answers (<c>enumeration_not_found</c>), many distinct resources within a window (<c>enumeration_distinct</c>), and a long run of requests with under 10 % of the deciding limit left
/// (<c>enumeration_near_limit</c>). Learns outcomes in <see cref="Observe"/>.
/// </summary>
public sealed class EnumerationDetector(BehaviorState state) : IDetector
{
    /// <inheritdoc />
    public void Detect(RequestContext request, EvaluationContext context)
    {
        var options = context.Policy.Behavior.Options.Enumeration;
        if (!options.Enabled || (options.SkipApiKeys && request.ApiKey is not null))
        {
            return;
        }

        var tracked = state.Track(request, context);
        var kind = tracked.Identity.ActorKind;
        var run = Math.Abs(tracked.Walk) + 1;
        if (tracked.Walk != 0 && run >= options.SequentialRun)
        {
            context.AddSignal(BehaviorSignals.EnumerationSequential, 40, string.Create(CultureInfo.InvariantCulture,
                $"{kind}: {run} requests walking numeric ids {(tracked.Walk > 0 ? "up" : "down")} in steps of at most {options.MaxStep}"));
        }

        if (tracked.Observed >= options.MinObserved && tracked.NotFound >= options.NotFoundRatio * tracked.Observed)
        {
            context.AddSignal(BehaviorSignals.EnumerationNotFound, 40, string.Create(CultureInfo.InvariantCulture,
                $"{kind}: {tracked.NotFound} of {tracked.Observed} answers were 404"));
        }

        if (options.DistinctResources > 0 && tracked.Distinct >= options.DistinctResources)
        {
            context.AddSignal(BehaviorSignals.EnumerationDistinct, 30, string.Create(CultureInfo.InvariantCulture,
                $"{kind}: about {tracked.Distinct} distinct resources within {options.DistinctWindowSeconds} s"));
        }

        if (options.NearLimitRun > 0 && tracked.NearLimitRun >= options.NearLimitRun)
        {
            context.AddSignal(BehaviorSignals.EnumerationNearLimit, 30, string.Create(CultureInfo.InvariantCulture,
                $"{kind}: {tracked.NearLimitRun} requests in a row with under 10 % of the limit left"));
        }
    }

    /// <inheritdoc />
    public void Observe(RequestContext request, Decision decision, int statusCode, TimeSpan latency) =>
        state.Observe(state.Identify(request, decision), decision, statusCode);

}
