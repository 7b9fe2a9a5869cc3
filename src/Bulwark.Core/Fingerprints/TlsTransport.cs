namespace Bulwark.Core.Fingerprints;

/// <summary>What carried a ClientHello; JA4's first character (<c>t</c>, <c>q</c>, <c>d</c>).</summary>
public enum TlsTransport
{
    /// <summary>TLS over TCP (JA4 <c>t</c>).</summary>
    Tls,

    /// <summary>QUIC: the ClientHello came out of CRYPTO frames, which only the caller can know (JA4 <c>q</c>).</summary>
    Quic,

    /// <summary>DTLS, recognised from its record or handshake header (JA4 <c>d</c>).</summary>
    Dtls,
}
