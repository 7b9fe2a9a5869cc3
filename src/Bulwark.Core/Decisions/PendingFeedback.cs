namespace Bulwark.Core.Decisions;

/// <summary>Counters a decision leaves open until feedback: failure-only limits and concurrency leases.</summary>
internal sealed class PendingFeedback
{
}
