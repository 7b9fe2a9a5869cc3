using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace Bulwark.Core.Fingerprints;

/// <summary>
/// JA3 (salesforce/ja3): <c>SSLVersion,Ciphers,Extensions,EllipticCurves,EllipticCurvePointFormats</c> in decimal, values
/// dash-joined in the order sent with GREASE removed, and its MD5, as Wireshark's <c>tls.handshake.ja3</c> computes them.
/// </summary>
public static class Ja3Fingerprint
{
    private const int StackLimit = 1024;

    /// <summary>The JA3 string (tshark's <c>ja3_full</c>), for example <c>771,4865-4866-…,0-23-…,29-23-24,0</c>.</summary>
    public static string ComputeText(ClientHello hello) => Build(hello, hash: false);

    /// <summary>The JA3 fingerprint: the lower-case hex MD5 of <see cref="ComputeText"/>.</summary>
    public static string Compute(ClientHello hello) => Build(hello, hash: true);

    [SuppressMessage("Security", "CA5351:Do Not Use Broken Cryptographic Algorithms", Justification = "JA3 is defined as an MD5 digest; it names a client, it protects nothing.")]
    private static string Build(ClientHello hello, bool hash)
    {
        // Up to five digits and a separator per value, plus the version and four commas.
        var capacity = 16 + (6 * (hello.CipherSuites.Length + hello.Extensions.Count + hello.SupportedGroups.Length + hello.EcPointFormats.Length));
        byte[]? rented = null;
        var text = capacity <= StackLimit ? stackalloc byte[StackLimit] : (rented = ArrayPool<byte>.Shared.Rent(capacity));
        try
        {
            var length = WriteDecimal(hello.LegacyVersion, text);
            text[length++] = (byte)',';
            length += WriteList(hello.CipherSuites.Span, text[length..]);
            text[length++] = (byte)',';
            var first = true;
            foreach (var extension in hello.Extensions)
            {
                if (!TlsGrease.IsGrease(extension.Type))
                {
                    length += WriteValue(extension.Type, ref first, text[length..]);
                }
            }

            text[length++] = (byte)',';
            length += WriteList(hello.SupportedGroups.Span, text[length..]);
            text[length++] = (byte)',';
            first = true;
            foreach (var format in hello.EcPointFormats.Span)
            {
                length += WriteValue(format, ref first, text[length..]);
            }

            if (!hash)
            {
                return Encoding.ASCII.GetString(text[..length]);
            }

            Span<byte> digest = stackalloc byte[MD5.HashSizeInBytes];
            MD5.HashData(text[..length], digest);
            return Convert.ToHexStringLower(digest);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static int WriteList(ReadOnlySpan<ushort> values, Span<byte> destination)
    {
        var length = 0;
        var first = true;
        foreach (var value in values)
        {
            if (!TlsGrease.IsGrease(value))
            {
                length += WriteValue(value, ref first, destination[length..]);
            }
        }

        return length;
    }

    private static int WriteValue(int value, ref bool first, Span<byte> destination)
    {
        var length = 0;
        if (!first)
        {
            destination[length++] = (byte)'-';
        }

        first = false;
        return length + WriteDecimal(value, destination[length..]);
    }

    private static int WriteDecimal(int value, Span<byte> destination)
    {
        value.TryFormat(destination, out var written, default, System.Globalization.CultureInfo.InvariantCulture);
        return written;
    }
}
