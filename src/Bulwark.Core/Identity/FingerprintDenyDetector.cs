using Bulwark.Core.Pipeline;

namespace Bulwark.Core.Identity;

/// <summary>Signals <c>fingerprint_denied</c> (default weight 100) when the JA4 or JA3 is in <c>Fingerprints:Deny</c>.</summary>
public sealed class FingerprintDenyDetector(ClientIdentity identity) : IDetector
{
    /// <summary>The signal name.</summary>
    public const string Signal = "fingerprint_denied";

    /// <summary>The default weight.</summary>
    public const int DefaultWeight = 100;

    /// <inheritdoc />
    public void Detect(RequestContext request, EvaluationContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        if (identity.Deny.Count == 0 || request.Tls is not { } tls)
        {
            return;
        }

        if (tls.Ja4 is { } ja4 && identity.Deny.Contains(ja4))
        {
            context.AddSignal(Signal, DefaultWeight, $"JA4 {ja4} is on the deny list");
        }
        else if (tls.Ja3 is { } ja3 && identity.Deny.Contains(ja3))
        {
            context.AddSignal(Signal, DefaultWeight, $"JA3 {ja3} is on the deny list");
        }
    }
}
