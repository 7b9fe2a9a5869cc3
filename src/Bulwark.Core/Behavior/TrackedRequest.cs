using Bulwark.Core.Pipeline;

namespace Bulwark.Core.Behavior;

/// <summary>
/// One request as the behaviour detectors see it: its identity, and its actor's history before it arrived. Built once per
/// decision by <see cref="BehaviorState.Track"/> and shared by every behaviour detector of that decision (a per-thread
/// instance, reused).
/// </summary>
internal sealed class TrackedRequest
{
    public readonly RequestIdentity Identity = new();
    public readonly HistoryEntry[] Previous = new HistoryEntry[ActorState.Size];
    public EvaluationContext? Owner;
    public int PreviousCount;
    public ushort Observed;
    public ushort NotFound;
    public byte NearLimitRun;
    public int Walk;
    public int Distinct;

    public ReadOnlySpan<HistoryEntry> History => Previous.AsSpan(0, PreviousCount);
}
