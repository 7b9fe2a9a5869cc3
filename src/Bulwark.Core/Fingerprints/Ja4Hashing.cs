namespace Bulwark.Core.Fingerprints;

/// <summary>
/// The operator's switch for where JA4's SHA-256 comes from: the environment variable <see cref="Variable"/>, read once
/// per process. Unset or <c>libcrypto</c>: straight from OpenSSL 3's libcrypto when it loads and passes its known-answer
/// test, else .NET. <c>dotnet</c>: always .NET's <c>IncrementalHash</c> (a way out should a libcrypto build misbehave).
/// Both give the same digests; only the time per handshake differs (docs/performance.md).
/// </summary>
public static class Ja4Hashing
{
    /// <summary>The environment variable.</summary>
    public const string Variable = "BULWARK_JA4_SHA256";

    /// <summary>The value that forces the .NET path.</summary>
    public const string DotNet = "dotnet";

    /// <summary>The value (and default) that uses libcrypto when it can.</summary>
    public const string LibCrypto = "libcrypto";

    /// <summary>
    /// A message naming what is wrong with <paramref name="value"/> (the variable's value), or null when it is unset or
    /// one of the two values. An unknown value falls back to the default path; callers print this so a typo is seen.
    /// </summary>
    public static string? Problem(string? value)
    {
        var trimmed = value?.Trim();
        if (string.IsNullOrEmpty(trimmed)
            || string.Equals(trimmed, DotNet, StringComparison.OrdinalIgnoreCase)
            || string.Equals(trimmed, LibCrypto, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return $"{Variable}='{value}' is neither '{LibCrypto}' nor '{DotNet}'; JA4 hashes with libcrypto where it loads (the default).";
    }
}
