using Bulwark.Core.Identity;
using Bulwark.Core.Pipeline;

namespace Bulwark.Core.Replay;

/// <summary>
/// The client-identity detectors <c>bulwark replay</c> adds to the engine, so replayed traffic gets the signals the gateway
/// gives live traffic from the same facts (User-Agent, headers in order, <c>tls.ja4</c>/<c>ja3</c>).
/// </summary>
public static class ReplayDetectors
{
    /// <summary>
    /// Request records (<see cref="ReplayInputFormat.JsonLines"/>) carry the request's headers in the client's order: every
    /// identity detector, as at the gateway. nginx logs carry only the headers the log format names, in the log format's
    /// order, so the header checks (<c>browser_headers_missing</c>, <c>client_hints_mismatch</c>,
    /// <c>header_order_mismatch</c>, <c>browser_without_h2</c>) would judge what nginx did not log: for them only the
    /// User-Agent/TLS mismatch, the fingerprint deny list and declared bots run.
    /// </summary>
    public static IDetector[] Identity(ClientIdentity identity, ReplayInputFormat format)
    {
        ArgumentNullException.ThrowIfNull(identity);
        return format == ReplayInputFormat.JsonLines
            ? ClientIdentityComponents.Detectors(identity)
            : [new FingerprintDenyDetector(identity), new UaTlsMismatchDetector(identity), new UaTlsTraitsDetector(identity), new DeclaredBotDetector(identity)];
    }
}
