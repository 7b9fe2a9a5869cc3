using System.Globalization;
using Bulwark.Core.Decisions;
using Bulwark.Core.Pipeline;

namespace Bulwark.Core.Behavior;

/// <summary>
/// Inter-request timing per actor: <c>timing_regular</c> when the intervals between its last requests are
/// metronome-regular (coefficient of variation below <see cref="TimingOptions.MaxCv"/>; people's think times vary by
/// more than their mean), <c>timing_burst</c> when <see cref="TimingOptions.BurstRequests"/> requests to one route come
/// within <see cref="TimingOptions.BurstMs"/>.
/// </summary>
public sealed class TimingDetector(BehaviorState state) : IDetector
{
    /// <summary>The shared behaviour state (actor history, bans).</summary>
    public BehaviorState State => state;

    /// <inheritdoc />
    public void Detect(RequestContext request, EvaluationContext context)
    {
        var options = context.Policy.Behavior.Options.Timing;
        if (!options.Enabled || (options.SkipApiKeys && request.ApiKey is not null))
        {
            return;
        }

        var tracked = state.Track(request, context);
        var history = tracked.History;
        var now = tracked.Identity.Ticks;
        var intervals = history.Length;
        if (intervals >= options.MinIntervals && intervals > 0)
        {
            double sum = 0, sumSquares = 0;
            for (var i = 0; i < intervals; i++)
            {
                var next = i + 1 < history.Length ? history[i + 1].Ticks : now;
                var gap = (next - history[i].Ticks) / (double)TimeSpan.TicksPerSecond;
                sum += gap;
                sumSquares += gap * gap;
            }

            var mean = sum / intervals;
            if (mean > 0 && mean <= options.MaxMeanSeconds)
            {
                var variance = Math.Max(0, (sumSquares / intervals) - (mean * mean));
                var cv = Math.Sqrt(variance) / mean;
                if (cv < options.MaxCv)
                {
                    // Deferred: a metronome client fires this on every request, and the numbers are read only if recorded.
                    context.AddSignal(BehaviorSignals.TimingRegular, 30, new RegularDetail(tracked.Identity.ActorKind, intervals, mean, cv, options.MaxCv));
                }
            }
        }

        if (history.Length + 1 >= options.BurstRequests)
        {
            var route = HistoryEntry.RouteBits(tracked.Identity.Route);
            var window = TimeSpan.FromMilliseconds(options.BurstMs).Ticks;
            var count = 1;
            for (var i = history.Length - 1; i >= 0 && now - history[i].Ticks <= window; i--)
            {
                if (history[i].Route == route)
                {
                    count++;
                }
            }

            if (count >= options.BurstRequests)
            {
                context.AddSignal(BehaviorSignals.TimingBurst, 30, string.Create(CultureInfo.InvariantCulture,
                    $"{tracked.Identity.ActorKind}: {count} requests to this route within {options.BurstMs} ms"));
            }
        }
    }

    private sealed class RegularDetail(string actorKind, int intervals, double mean, double cv, double maxCv) : DeferredDetail
    {
        public override string Format() => string.Create(CultureInfo.InvariantCulture,
            $"{actorKind}: {intervals} intervals of {mean:0.###} s on average vary by {cv:0.###} (under {maxCv})");
    }
}
