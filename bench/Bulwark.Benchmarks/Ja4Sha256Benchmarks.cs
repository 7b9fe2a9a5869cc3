using System.Runtime.InteropServices;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Bulwark.Core.Fingerprints;

namespace Bulwark.Benchmarks;

/// <summary>
/// One SHA-256 of a JA4-sized input (JA4's cipher and extension list strings are about 100-300 bytes) by each way
/// considered for <see cref="Ja4Sha256"/>: .NET's one-shot <c>SHA256.HashData</c> (the baseline), a reused
/// <c>IncrementalHash</c> (the fallback), libcrypto's <c>EVP_Digest</c> with a digest fetched once (the choice), and two
/// alternatives called through function pointers here: the deprecated one-shot <c>SHA256()</c> and a per-thread
/// <c>EVP_MD_CTX</c> driven by <c>EVP_DigestInit_ex</c>/<c>EVP_DigestUpdate</c>/<c>EVP_DigestFinal_ex</c>.
/// Needs OpenSSL 3's libcrypto.so.3 (Linux).
/// </summary>
[MemoryDiagnoser]
public unsafe class Ja4Sha256Benchmarks
{
    private readonly byte[] _digest = new byte[SHA256.HashSizeInBytes];
    private readonly IncrementalHash _incremental = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private byte[] _data = [];
    private Ja4Sha256 _libcrypto = Ja4Sha256.DotNet;
    private delegate* unmanaged<byte*, nuint, byte*, byte*> _oneShot;
    private delegate* unmanaged<nint, nint, nint, int> _init;
    private delegate* unmanaged<nint, byte*, nuint, int> _update;
    private delegate* unmanaged<nint, byte*, uint*, int> _final;
    private nint _context;
    private nint _sha256;

    [Params(100, 300)]
    public int Length { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _data = new byte[Length];
        new Random(Length).NextBytes(_data);
        _libcrypto = Ja4Sha256.Load("libcrypto.so.3");
        var library = NativeLibrary.Load("libcrypto.so.3");
        if (!_libcrypto.IsNative)
        {
            Console.Error.WriteLine("Ja4Sha256Benchmarks: libcrypto.so.3 did not give Ja4Sha256 its native path");
            Environment.Exit(2);
        }

        _oneShot = (delegate* unmanaged<byte*, nuint, byte*, byte*>)NativeLibrary.GetExport(library, "SHA256");
        _init = (delegate* unmanaged<nint, nint, nint, int>)NativeLibrary.GetExport(library, "EVP_DigestInit_ex");
        _update = (delegate* unmanaged<nint, byte*, nuint, int>)NativeLibrary.GetExport(library, "EVP_DigestUpdate");
        _final = (delegate* unmanaged<nint, byte*, uint*, int>)NativeLibrary.GetExport(library, "EVP_DigestFinal_ex");
        _context = ((delegate* unmanaged<nint>)NativeLibrary.GetExport(library, "EVP_MD_CTX_new"))();
        fixed (byte* name = "SHA256\0"u8)
        {
            _sha256 = ((delegate* unmanaged<nint, byte*, byte*, nint>)NativeLibrary.GetExport(library, "EVP_MD_fetch"))(0, name, null);
        }

        // Every way must give HashData's digest, or the comparison means nothing.
        var expected = SHA256.HashData(_data);
        foreach (var run in new Action[] { IncrementalHashReused, LibcryptoEvpDigest, LibcryptoDeprecatedOneShot, LibcryptoReusedContext })
        {
            Array.Clear(_digest);
            run();
            if (!_digest.AsSpan().SequenceEqual(expected))
            {
                Console.Error.WriteLine($"Ja4Sha256Benchmarks: {run.Method.Name} gave a wrong digest");
                Environment.Exit(2);
            }
        }
    }

    [Benchmark(Baseline = true)]
    public void DotNetHashData() => SHA256.HashData(_data, _digest);

    [Benchmark]
    public void IncrementalHashReused()
    {
        _incremental.AppendData(_data);
        _incremental.TryGetHashAndReset(_digest, out _);
    }

    [Benchmark]
    public void LibcryptoEvpDigest() => _libcrypto.Hash(_data, _digest);

    [Benchmark]
    public void LibcryptoDeprecatedOneShot()
    {
        fixed (byte* data = _data)
        fixed (byte* digest = _digest)
        {
            _oneShot(data, (nuint)_data.Length, digest);
        }
    }

    [Benchmark]
    public void LibcryptoReusedContext()
    {
        fixed (byte* data = _data)
        fixed (byte* digest = _digest)
        {
            _init(_context, _sha256, 0);
            _update(_context, data, (nuint)_data.Length);
            _final(_context, digest, null);
        }
    }
}
