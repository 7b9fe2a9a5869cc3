using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Bulwark.Core.Fingerprints;

/// <summary>
/// SHA-256 for JA4's two list hashes (100-300 bytes each, per TLS handshake), straight from OpenSSL 3's libcrypto:
/// <c>EVP_MD_fetch</c> once, then one <c>EVP_Digest</c> call per hash. It exists because .NET's <c>SHA256.HashData</c>
/// and <c>IncrementalHash</c> on OpenSSL 3 cost about 0.35-0.5 µs per call, mostly per-call overhead (the digest fetched
/// by name every time, context set-up, several native calls), around 0.1 µs of SHA-NI hashing; this path takes about
/// 0.15-0.25 µs (docs/performance.md, TLS fingerprints per handshake). Drop it when .NET's one-shot gets as cheap:
/// <c>HandshakeFingerprintBenchmarks</c> compares the two in one run. Where libcrypto.so.3 or those exports are absent
/// (Windows, macOS, OpenSSL 1.1) or the loaded library fails a known-answer test, the .NET path is used and gives the
/// same digests.
/// </summary>
/// <remarks>
/// The deprecated one-shot <c>SHA256()</c> is no faster: OpenSSL 3 implements it with <c>EVP_Q_digest</c>, which fetches
/// the digest by name on every call. <c>EVP_Digest</c> keeps no state between calls, so one fetched <c>EVP_MD</c> (kept
/// for the life of the process, as OpenSSL allows sharing it between threads) serves every thread.
/// </remarks>
internal sealed unsafe class Ja4Sha256
{
    private const string LibCrypto = "libcrypto.so.3";

    // FIPS 180-2, appendix B.1: SHA-256("abc").
    private static ReadOnlySpan<byte> AbcDigest =>
    [
        0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
        0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad,
    ];

    // The fallback: one SHA-256 context per thread, reset after each digest, cheaper than HashData's set-up and free of
    // an OpenSSL context every call. A thread never hashes two lists at once.
    [ThreadStatic]
    private static IncrementalHash? t_sha256;

    // int EVP_Digest(const void *data, size_t count, unsigned char *md, unsigned int *size, const EVP_MD *type, ENGINE *impl)
    private readonly delegate* unmanaged<byte*, nuint, byte*, uint*, nint, nint, int> _evpDigest;
    private readonly nint _sha256;

    private Ja4Sha256(delegate* unmanaged<byte*, nuint, byte*, uint*, nint, nint, int> evpDigest, nint sha256)
    {
        _evpDigest = evpDigest;
        _sha256 = sha256;
    }

    /// <summary>The .NET path (<see cref="IncrementalHash"/>), as used where libcrypto is unavailable.</summary>
    /// <remarks>Declared before <see cref="Current"/>: static initialisers run in this order, and Current may pick it.</remarks>
    internal static Ja4Sha256 DotNet { get; } = new(null, 0);

    /// <summary>
    /// The instance the fingerprinters use: libcrypto's when it loads, unless the operator chose the .NET path with
    /// <see cref="Ja4Hashing.Variable"/>. Set otherwise only by tests and benchmarks, to compare with or force the .NET
    /// path; either gives the same digests, so a swap never changes a fingerprint.
    /// </summary>
    internal static Ja4Sha256 Current { get; set; } = Choose(Environment.GetEnvironmentVariable(Ja4Hashing.Variable));

    /// <summary>The path <see cref="Ja4Hashing.Variable"/>'s value asks for: "dotnet" the .NET one; anything else libcrypto when it loads.</summary>
    internal static Ja4Sha256 Choose(string? variable) =>
        string.Equals(variable?.Trim(), Ja4Hashing.DotNet, StringComparison.OrdinalIgnoreCase) ? DotNet : Load(LibCrypto);

    /// <summary>True when digests come from libcrypto's <c>EVP_Digest</c>, false on the .NET fallback.</summary>
    internal bool IsNative => _evpDigest != null;

    /// <summary>
    /// libcrypto's SHA-256 from <paramref name="libraryName"/>, or the .NET path when the library does not load, lacks
    /// <c>EVP_MD_fetch</c> or <c>EVP_Digest</c>, has no SHA-256, or gives a wrong digest for "abc".
    /// </summary>
    internal static Ja4Sha256 Load(string libraryName)
    {
        if (!NativeLibrary.TryLoad(libraryName, out var library))
        {
            return DotNet;
        }

        if (!NativeLibrary.TryGetExport(library, "EVP_MD_fetch", out var fetchExport)
            || !NativeLibrary.TryGetExport(library, "EVP_Digest", out var digestExport))
        {
            NativeLibrary.Free(library);
            return DotNet;
        }

        // EVP_MD *EVP_MD_fetch(OSSL_LIB_CTX *ctx, const char *algorithm, const char *properties): the default library
        // context and properties, as .NET's own SHA256 asks for. The library stays loaded: the EVP_MD lives in it.
        var fetch = (delegate* unmanaged<nint, byte*, byte*, nint>)fetchExport;
        nint sha256;
        fixed (byte* name = "SHA256\0"u8)
        {
            sha256 = fetch(0, name, null);
        }

        if (sha256 == 0)
        {
            return DotNet;
        }

        var candidate = new Ja4Sha256((delegate* unmanaged<byte*, nuint, byte*, uint*, nint, nint, int>)digestExport, sha256);
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        return candidate.TryHashNative("abc"u8, digest) && digest.SequenceEqual(AbcDigest) ? candidate : DotNet;
    }

    /// <summary>Writes the SHA-256 of <paramref name="data"/> to <paramref name="destination"/> (32 bytes).</summary>
    public void Hash(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        if (_evpDigest != null && TryHashNative(data, destination))
        {
            return;
        }

        var sha256 = t_sha256 ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha256.AppendData(data);
        sha256.TryGetHashAndReset(destination, out _);
    }

    private bool TryHashNative(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        if (destination.Length < SHA256.HashSizeInBytes)
        {
            return false;
        }

        // EVP_Digest fails only on allocation failure; the caller then takes the .NET path.
        fixed (byte* input = data)
        fixed (byte* output = destination)
        {
            return _evpDigest(input, (nuint)data.Length, output, null, _sha256, 0) == 1;
        }
    }
}
