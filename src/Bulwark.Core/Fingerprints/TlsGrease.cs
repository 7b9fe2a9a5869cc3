namespace Bulwark.Core.Fingerprints;

/// <summary>
/// GREASE values (RFC 8701): <c>0x0A0A</c>, <c>0x1A1A</c> … <c>0xFAFA</c>, which clients scatter among ciphers,
/// extensions, groups, signature algorithms and versions so servers tolerate unknown values. Fingerprints skip them.
/// </summary>
public static class TlsGrease
{
    /// <summary>True for the sixteen reserved GREASE code points.</summary>
    public static bool IsGrease(ushort value) => (value & 0x0F0F) == 0x0A0A && (value >> 8) == (value & 0xFF);
}
