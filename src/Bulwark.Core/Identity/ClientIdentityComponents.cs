using Bulwark.Core.Pipeline;

namespace Bulwark.Core.Identity;

/// <summary>The client-identity detectors, for a front door to add to the engine's detector list.</summary>
public static class ClientIdentityComponents
{
    /// <summary>
    /// <see cref="FingerprintDenyDetector"/>, <see cref="UaTlsMismatchDetector"/>, <see cref="UaTlsTraitsDetector"/>, <see cref="BrowserHeadersDetector"/> and
    /// <see cref="DeclaredBotDetector"/> over <paramref name="identity"/>.
    /// </summary>
    public static IDetector[] Detectors(ClientIdentity identity) =>
    [
        new FingerprintDenyDetector(identity),
        new UaTlsMismatchDetector(identity),
        new UaTlsTraitsDetector(identity),
        new BrowserHeadersDetector(identity),
        new DeclaredBotDetector(identity),
    ];
}
