using System.Runtime.CompilerServices;
using Bulwark.Core.Decisions;
using Bulwark.Core.Lists;
using Bulwark.Core.Pipeline;
using Bulwark.Core.Scoring;

namespace Bulwark.Core.Behavior;

/// <summary>
/// The shared, bounded state of the behaviour detectors: per-actor history (a ring of the last 8 requests) with expiry and a
/// ceiling, the ban list and repeat-offender escalation. Thread-safe. One instance per engine.
/// </summary>
public sealed class BehaviorState
{
    /// <summary>
    /// Bytes one tracked actor costs: the 168-byte <c>ActorState</c> (ring of 8 × 16 B, counters, distinct sketch) in a
    /// 192-byte table entry with its key, last use and reference flag, and the shard index entry (about 28 B, a little
    /// more where the index's prime size rounds up). Measured: 216.2 bytes per actor at a million actors.
    /// </summary>
    public const int BytesPerActor = 220;

    [ThreadStatic]
    private static TrackedRequest? t_tracked;

    [ThreadStatic]
    private static RequestIdentity? t_observed;

    private const int RecentSlots = 4096;

    private readonly BoundedTable<ActorState> _actors;
    private readonly RecentIdentity[] _recent = new RecentIdentity[RecentSlots];

    /// <summary>Creates the state for <paramref name="options"/>.</summary>
    public BehaviorState(BehaviorOptions options, int ipv6Prefix, BanList bans)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(bans);
        Options = options;
        Ipv6Prefix = ipv6Prefix;
        Bans = bans;
        _actors = new BoundedTable<ActorState>(options.MaxActors, TimeSpan.FromSeconds(options.ActorTtlSeconds));
        Offenders = new OffenderEscalation(options.Offenders, options.MaxGroups, bans);
    }

    /// <summary>The global behaviour settings.</summary>
    public BehaviorOptions Options { get; }

    /// <summary>Prefix length grouping IPv6 clients.</summary>
    public int Ipv6Prefix { get; }

    /// <summary>Where honeypot and repeat-offender bans go.</summary>
    public BanList Bans { get; }

    /// <summary>Escalating bans for repeat offenders.</summary>
    public OffenderEscalation Offenders { get; }

    /// <summary>Actors currently tracked (at most <see cref="BehaviorOptions.MaxActors"/>).</summary>
    public int ActorCount => _actors.Count;

    /// <summary>Actors forgotten at the ceiling since start.</summary>
    public long ActorEvictions => _actors.Evictions;

    /// <summary>
    /// The request as the behaviour detectors see it. The first call for a decision records the request in its actor's
    /// history; later calls for the same decision return the same snapshot.
    /// </summary>
    internal TrackedRequest Track(RequestContext request, EvaluationContext context)
    {
        var tracked = t_tracked ??= new TrackedRequest();
        if (ReferenceEquals(tracked.Owner, context))
        {
            return tracked;
        }

        tracked.Owner = context;
        var identity = tracked.Identity;
        identity.Compute(request, context.Route ?? context.Policy.Name, Ipv6Prefix);
        var entry = new HistoryEntry
        {
            Ticks = identity.Ticks,
            RouteAndOutcome = HistoryEntry.RouteBits(identity.Route),
            Resource = identity.Resource is >= 0 and <= int.MaxValue ? (int)identity.Resource : -1,
        };

        using (var scope = _actors.Enter(identity.Actor, identity.Ticks))
        {
            ref var state = ref scope.Value;
            tracked.PreviousCount = state.CopyTo(tracked.Previous);
            tracked.Observed = state.Observed;
            tracked.NotFound = state.NotFound;
            tracked.NearLimitRun = state.NearLimitRun;
            var enumeration = context.Policy.Behavior.Options.Enumeration;
            state.Walk = NextWalk(state, tracked, entry.Resource, enumeration.MaxStep);
            if (enumeration.Enabled && enumeration.DistinctResources > 0)
            {
                var resource = identity.Resource >= 0
                    ? (ulong)identity.Resource * 0x9E3779B97F4A7C15UL
                    : BehaviorHash.Combine(BehaviorHash.Of(request.Path), BehaviorHash.Of(request.Query));
                tracked.Distinct = state.AddDistinct(resource ^ (resource >> 29), identity.Ticks / (enumeration.DistinctWindowSeconds * TimeSpan.TicksPerSecond));
            }
            else
            {
                tracked.Distinct = 0;
            }

            tracked.Walk = state.Walk;
            state.Append(entry);
        }

        Remember(request, identity);
        return tracked;
    }

    /// <summary>The identity of an answered request (per-thread instance, valid until the next call on this thread).</summary>
    internal RequestIdentity Identify(RequestContext request, Decision decision)
    {
        var identity = t_observed ??= new RequestIdentity();

        // Feedback usually follows soon after the decision: its keys are still in the recent slots (a seqlock-style
        // check by reference, so a slot rewritten meanwhile is noticed and the keys computed again).
        ref var slot = ref _recent[RuntimeHelpers.GetHashCode(request) & (RecentSlots - 1)];
        if (ReferenceEquals(Volatile.Read(ref slot.Request), request))
        {
            identity.Actor = slot.Actor;
            identity.IpGroup = slot.IpGroup;
            identity.Subnet = slot.Subnet;
            identity.Cluster = slot.Cluster;
            identity.Ticks = slot.Ticks;
            Interlocked.MemoryBarrier(); // the field reads above complete before the reference is checked again
            if (ReferenceEquals(Volatile.Read(ref slot.Request), request))
            {
                return identity;
            }
        }

        identity.Compute(request, decision.Policy ?? "", Ipv6Prefix);
        return identity;
    }

    private void Remember(RequestContext request, RequestIdentity identity)
    {
        ref var slot = ref _recent[RuntimeHelpers.GetHashCode(request) & (RecentSlots - 1)];
        Volatile.Write(ref slot.Request, null);
        slot.Actor = identity.Actor;
        slot.IpGroup = identity.IpGroup;
        slot.Subnet = identity.Subnet;
        slot.Cluster = identity.Cluster;
        slot.Ticks = identity.Ticks;
        Volatile.Write(ref slot.Request, request);
    }

    /// <summary>The keys of a recent request, for its feedback.</summary>
    private struct RecentIdentity
    {
        public RequestContext? Request;
        public ulong Actor;
        public ulong IpGroup;
        public ulong Subnet;
        public ulong Cluster;
        public long Ticks;
    }

    /// <summary>Records the upstream's answer in the actor's history: outcome, 404 share, riding the limit.</summary>
    internal void Observe(RequestIdentity identity, Decision decision, int statusCode)
    {
        if (!_actors.TryEnter(identity.Actor, identity.Ticks, out var scope))
        {
            return;
        }

        using (scope)
        {
            ref var state = ref scope.Value;
            var outcome = HistoryEntry.OutcomeOf(statusCode);
            state.SetOutcome(identity.Ticks, outcome);
            if (statusCode > 0)
            {
                if (state.Observed == ushort.MaxValue)
                {
                    // Halve both to keep the share while making room: old answers weigh less.
                    state.Observed /= 2;
                    state.NotFound /= 2;
                }

                state.Observed++;
                if (outcome == HistoryEntry.OutcomeNotFound)
                {
                    state.NotFound++;
                }
            }

            if (decision.Limit is { } limit && limit.Quota > 0)
            {
                var near = limit.Allowed && limit.Remaining * 10 <= limit.Quota;
                state.NearLimitRun = near ? (byte)Math.Min(byte.MaxValue, state.NearLimitRun + 1) : (byte)0;
            }
        }
    }

    // Length of the run of requests whose numeric ids move by small steps in one direction (sign kept in the value).
    private static int NextWalk(in ActorState state, TrackedRequest tracked, int resource, int maxStep)
    {
        if (resource < 0 || tracked.PreviousCount == 0)
        {
            return 0;
        }

        var last = tracked.Previous[tracked.PreviousCount - 1];
        if (last.Resource < 0 || last.Route != HistoryEntry.RouteBits(tracked.Identity.Route))
        {
            return 0;
        }

        var step = (long)resource - last.Resource;
        var run = Math.Abs(state.Walk);
        var direction = Math.Sign(step);
        if (step == 0 || Math.Abs(step) > maxStep || (state.Walk != 0 && Math.Sign(state.Walk) != direction))
        {
            return step == 0 || Math.Abs(step) > maxStep ? 0 : direction;
        }

        return direction * Math.Min(run + 1, 1_000_000);
    }
}
