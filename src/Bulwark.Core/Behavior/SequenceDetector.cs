using System.Globalization;
using System.Runtime.CompilerServices;
using Bulwark.Core.Pipeline;

namespace Bulwark.Core.Behavior;

/// <summary>
/// Expected flows (<c>Behavior.Sequences</c>): a request to a step's route raises <c>sequence_missing_step</c> when the
/// same client (IP group × JA4 × User-Agent family, which stays the same across logging in) asked for none of the step's
/// prerequisites within its window, and <c>sequence_too_fast</c> when it did so less than the step's minimum dwell ago.
/// Every covered request is remembered per client: its last 8 distinct paths (numeric-id paths by route), 16 bytes each.
/// </summary>
public sealed class SequenceDetector(BehaviorState state) : IDetector
{
    private readonly BoundedTable<SequenceState> _clients = new(state.Options.MaxActors, TimeSpan.FromSeconds(state.Options.ActorTtlSeconds));

    /// <summary>Clients currently remembered.</summary>
    public int ClientCount => _clients.Count;

    /// <inheritdoc />
    public void Detect(RequestContext request, EvaluationContext context)
    {
        var tracked = state.Track(request, context);
        var identity = tracked.Identity;
        var now = identity.Ticks;
        var steps = context.Policy.Behavior.Steps;
        var pathKey = identity.Resource >= 0 ? (uint)identity.Route : (uint)BehaviorHash.Of(request.Path);
        var routeKey = (uint)identity.Route;

        using var scope = _clients.Enter(identity.Network, now);
        ref var remembered = ref scope.Value;
        foreach (var step in steps)
        {
            if (!step.Pattern.IsMatch(request.Path))
            {
                continue;
            }

            var latest = remembered.Latest(step.After, now - step.WithinTicks, now);
            if (latest < 0)
            {
                context.AddSignal(BehaviorSignals.SequenceMissingStep, 40, $"{step.RouteText} reached without {step.AfterText} first");
            }
            else if (step.MinDwellTicks > 0 && now - latest < step.MinDwellTicks)
            {
                context.AddSignal(BehaviorSignals.SequenceTooFast, 40, string.Create(CultureInfo.InvariantCulture,
                    $"{step.RouteText} {(now - latest) / TimeSpan.TicksPerMillisecond} ms after {step.AfterText} (minimum {step.MinDwellTicks / TimeSpan.TicksPerMillisecond} ms)"));
            }
        }

        remembered.Remember(pathKey, routeKey, now);
    }

    /// <summary>The last 8 distinct paths of a client and when each was last asked for.</summary>
    internal struct SequenceState
    {
        private Entries _entries;
        private byte _next;

        public readonly long Latest(uint[] keys, long notBefore, long now)
        {
            var latest = -1L;
            for (var i = 0; i < Entries.Size; i++)
            {
                var entry = _entries[i];
                if (entry.Ticks >= notBefore && entry.Ticks <= now && entry.Ticks > latest
                    && (Array.IndexOf(keys, entry.Path) >= 0 || Array.IndexOf(keys, entry.Route) >= 0))
                {
                    latest = entry.Ticks;
                }
            }

            return latest;
        }

        public void Remember(uint path, uint route, long now)
        {
            for (var i = 0; i < Entries.Size; i++)
            {
                if (_entries[i].Path == path && _entries[i].Ticks != 0)
                {
                    _entries[i].Ticks = Math.Max(_entries[i].Ticks, now);
                    return;
                }
            }

            _entries[_next] = new Entry { Path = path, Route = route, Ticks = now };
            _next = (byte)((_next + 1) % Entries.Size);
        }
    }

    internal struct Entry
    {
        public long Ticks;
        public uint Path;
        public uint Route;
    }

    [InlineArray(Size)]
    internal struct Entries
    {
        public const int Size = 8;

        private Entry _first;
    }
}
