using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Bulwark.Core.Policy;

namespace Bulwark.Gateway;

/// <summary>Server certificates: from the configuration (PEM or PFX), or a self-signed one for the demo.</summary>
public static class GatewayCertificates
{
    /// <summary>Loads <c>Gateway:Tls</c>: a PFX/PKCS#12 file (with its password), or a PEM certificate with its PEM key.</summary>
    public static X509Certificate2? Load(GatewayTlsOptions tls)
    {
        ArgumentNullException.ThrowIfNull(tls);
        if (tls.CertificatePath is not { } path)
        {
            return null;
        }

        var extension = Path.GetExtension(path);
        if (extension.Equals(".pfx", StringComparison.OrdinalIgnoreCase) || extension.Equals(".p12", StringComparison.OrdinalIgnoreCase))
        {
            return X509CertificateLoader.LoadPkcs12FromFile(path, tls.Password);
        }

        var keyPath = tls.KeyPath ?? path;
        using var pem = tls.Password is null
            ? X509Certificate2.CreateFromPemFile(path, keyPath)
            : X509Certificate2.CreateFromEncryptedPemFile(path, tls.Password, keyPath);

        // SslStream on Linux wants the key in a form it can export; a PKCS#12 round trip gives it that.
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>
    /// The demo's certificate: loaded from <paramref name="path"/> (a PFX without password) when it exists and is still
    /// valid, else a new self-signed ECDSA P-256 certificate for localhost, 127.0.0.1 and ::1, valid a year, saved there.
    /// </summary>
    public static X509Certificate2 LoadOrCreateSelfSigned(string path, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(time);
        var now = time.GetUtcNow();
        if (File.Exists(path))
        {
            try
            {
                var existing = X509CertificateLoader.LoadPkcs12FromFile(path, null);
                if (existing.NotAfter.ToUniversalTime() > now.UtcDateTime.AddDays(1))
                {
                    return existing;
                }

                existing.Dispose();
            }
            catch (CryptographicException)
            {
                // unreadable: make a new one below
            }
        }

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost, O=Bulwark demo", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        names.AddIpAddress(System.Net.IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var created = request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(1));
        var bytes = created.Export(X509ContentType.Pkcs12);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllBytes(path, bytes);
        return X509CertificateLoader.LoadPkcs12(bytes, null);
    }
}
