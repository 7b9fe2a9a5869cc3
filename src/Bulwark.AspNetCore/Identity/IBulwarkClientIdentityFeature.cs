using Bulwark.Core;
using Bulwark.Core.Fingerprints;

namespace Bulwark.AspNetCore.Identity;

/// <summary>
/// What the connection hooks learnt about the client, set once per connection by
/// the <see cref="ClientIdentityKestrelExtensions"/> hooks
/// and read for every request on it by <see cref="RequestContextFactory"/>.
/// </summary>
public interface IBulwarkClientIdentityFeature
{
    /// <summary>JA3/JA4 of the connection's ClientHello, or null when there was none (plain HTTP) or it could not be read.</summary>
    TlsClientFingerprint? Tls { get; }

    /// <summary>
    /// <see cref="Tls"/> as the engine takes it, made once per connection and shared by its requests (this default makes
    /// a new one on every call; the hooks' feature keeps the first).
    /// </summary>
    TlsFingerprints? TlsFingerprints => Tls?.ToTlsFingerprints();

    /// <summary>Why the ClientHello could not be fingerprinted (for example split over several records), or null.</summary>
    string? TlsError { get; }

    /// <summary>
    /// The header names of the HTTP/1.1 request head that starts with <paramref name="method"/> and
    /// <paramref name="rawTarget"/>, lower-case in the order the client sent them; null when the connection middleware did
    /// not see it (HTTP/2, or the middleware is not installed).
    /// </summary>
    string[]? TakeHeaderOrder(string method, string rawTarget);
}
