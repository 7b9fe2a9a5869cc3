namespace Bulwark.Core.Decisions;

/// <summary>
/// The evidence of a <see cref="DecisionReason"/> captured as values when its signal fires and formatted only when it is
/// read. Detectors whose signal can fire on many requests use it so the hot path does not format numbers nobody reads.
/// Implementations must be immutable.
/// </summary>
internal abstract class DeferredDetail
{
    /// <summary>Formats the evidence (invariant culture).</summary>
    public abstract string Format();
}
