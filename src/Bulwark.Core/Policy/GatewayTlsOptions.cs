namespace Bulwark.Core.Policy;

/// <summary><c>Bulwark:Gateway:Tls</c>: the server certificate for https URLs, from PEM files or a PFX file.</summary>
public sealed record GatewayTlsOptions
{
    /// <summary>A PEM certificate (chain) file or a PFX (<c>.pfx</c>/<c>.p12</c>) file. Default: none.</summary>
    public string? CertificatePath { get; init; }

    /// <summary>The PEM private key file (PEM only; a PFX holds its key). Default: none.</summary>
    public string? KeyPath { get; init; }

    /// <summary>The PFX password, or the password of an encrypted PEM key. Default: none.</summary>
    public string? Password { get; init; }
}
