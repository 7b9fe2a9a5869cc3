namespace Bulwark.Core.Fingerprints;

/// <summary>
/// A parsed TLS (or DTLS) ClientHello: the fields JA3 and JA4 read, in the order the client sent them, GREASE included
/// (the fingerprints drop it). Made by <see cref="ClientHelloParser"/>.
/// </summary>
public sealed class ClientHello
{
    /// <summary>What carried the hello: TLS, DTLS (recognised by the parser) or QUIC (declared by the caller).</summary>
    public required TlsTransport Transport { get; init; }

    /// <summary>The version in the record header (<c>0x0301</c> for most clients), or null for a bare handshake message.</summary>
    public ushort? RecordVersion { get; init; }

    /// <summary>The handshake's legacy_version (<c>0x0303</c> from TLS 1.3 clients, which state 1.3 in supported_versions).</summary>
    public required ushort LegacyVersion { get; init; }

    /// <summary>Cipher suites in the order sent.</summary>
    public required ReadOnlyMemory<ushort> CipherSuites { get; init; }

    /// <summary>Compression methods in the order sent.</summary>
    public ReadOnlyMemory<byte> CompressionMethods { get; init; }

    /// <summary>Extensions in the order sent, with their bodies; empty when the hello has no extensions block.</summary>
    public required IReadOnlyList<TlsExtension> Extensions { get; init; }

    /// <summary>The first host_name of the server_name extension, or null when there is none.</summary>
    public string? ServerName { get; init; }

    /// <summary>True when the server_name extension (type 0) is present, whatever it holds.</summary>
    public bool HasServerName { get; init; }

    /// <summary>ALPN protocol names in the order sent, as raw bytes (they need not be text); empty without the extension.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> AlpnProtocols { get; init; } = [];

    /// <summary>The supported_versions list in the order sent; empty without the extension.</summary>
    public ReadOnlyMemory<ushort> SupportedVersions { get; init; }

    /// <summary>The signature_algorithms list (extension 13) in the order sent.</summary>
    public ReadOnlyMemory<ushort> SignatureAlgorithms { get; init; }

    /// <summary>The supported_groups (elliptic curves) list (extension 10) in the order sent.</summary>
    public ReadOnlyMemory<ushort> SupportedGroups { get; init; }

    /// <summary>The ec_point_formats list (extension 11) in the order sent.</summary>
    public ReadOnlyMemory<byte> EcPointFormats { get; init; }

    /// <summary>How many TLS records the hello was reassembled from (1 for almost every client; 0 for a bare handshake message).</summary>
    public int RecordCount { get; init; }
}
