using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using Bulwark.Core.Fingerprints;
using Bulwark.Core.Tests.Data;

namespace Bulwark.Core.Tests.Fingerprints;

/// <summary>
/// JA4's SHA-256 straight from libcrypto (<see cref="Ja4Sha256"/>) against .NET's <c>SHA256.HashData</c>, and its .NET
/// fallback when libcrypto is unavailable. The tests that swap <see cref="Ja4Sha256.Current"/> live in this one class,
/// so xUnit runs them one after another; a swap cannot change another test's fingerprints (both paths give the same
/// digests, which is what these tests hold them to).
/// </summary>
public sealed class Ja4Sha256Tests
{
    private const string Fixtures = "shared:ja4/clienthellos.jsonl";

    [Fact]
    public void Libcrypto_path_equals_HashData_on_random_inputs_of_every_length_up_to_2000()
    {
        var native = Ja4Sha256.Load("libcrypto.so.3");
        Assert.True(native.IsNative || !LibcryptoHasEvpFetch(), "libcrypto.so.3 exports EVP_MD_fetch but Load fell back to .NET");
        AssertEqualsHashData(native, seed: 256);
    }

    [Fact]
    public void Libcrypto_is_used_wherever_libcrypto_3_loads()
    {
        // On Linux .NET's own cryptography runs on the system's OpenSSL; where that is 3.x, JA4 must not fall back.
        if (LibcryptoHasEvpFetch())
        {
            Assert.True(Ja4Sha256.Load("libcrypto.so.3").IsNative);
            Assert.True(Ja4Sha256.Current.IsNative);
        }
        else
        {
            Assert.False(OperatingSystem.IsLinux() && TestData.InCi, "CI on Linux: libcrypto.so.3 with EVP_MD_fetch should be present");
        }
    }

    [Theory]
    [InlineData("dotnet", false)]
    [InlineData(" DOTNET ", false)]
    [InlineData(null, true)]
    [InlineData("libcrypto", true)]
    [InlineData("something-else", true)]
    public void The_operator_switch_forces_the_dotnet_path_only_when_it_says_dotnet(string? value, bool nativeWhereAvailable)
    {
        var chosen = Ja4Sha256.Choose(value);
        Assert.NotNull(chosen);
        Assert.Equal(nativeWhereAvailable && LibcryptoHasEvpFetch(), chosen.IsNative);
        AssertEqualsHashData(chosen, seed: 11);
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("", false)]
    [InlineData("dotnet", false)]
    [InlineData("LibCrypto", false)]
    [InlineData("openssl", true)]
    public void An_unknown_switch_value_is_named(string? value, bool isProblem)
    {
        var problem = Ja4Hashing.Problem(value);
        Assert.Equal(isProblem, problem is not null);
        if (problem is not null)
        {
            Assert.Contains($"BULWARK_JA4_SHA256='{value}'", problem, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Missing_library_falls_back_to_dotnet_with_the_same_digests()
    {
        var fallback = Ja4Sha256.Load("libbulwark-no-such-library.so.3");
        Assert.False(fallback.IsNative);
        AssertEqualsHashData(fallback, seed: 3);
    }

    [Fact]
    public void Library_without_the_exports_falls_back_to_dotnet()
    {
        // The C library loads on Linux but has no EVP_Digest; elsewhere it does not load at all. Either way: .NET.
        var fallback = Ja4Sha256.Load(OperatingSystem.IsLinux() ? "libc.so.6" : "libbulwark-no-such-library");
        Assert.False(fallback.IsNative);
        AssertEqualsHashData(fallback, seed: 6);
    }

    [DataFact(Fixtures)]
    public void Fingerprints_are_unchanged_when_libcrypto_is_forced_unavailable()
    {
        var records = File.ReadLines(DataFactAttribute.Resolve(Fixtures)).Where(l => l.Length > 0).Select(line =>
        {
            using var doc = JsonDocument.Parse(line);
            return (Record: Convert.FromHexString(doc.RootElement.GetProperty("record_hex").GetString()!), Ja4: doc.RootElement.GetProperty("ja4").GetString());
        }).ToList();
        var withDefault = records.Select(r => Compute(r.Record)).ToList();

        var previous = Ja4Sha256.Current;
        try
        {
            Ja4Sha256.Current = Ja4Sha256.Load("libbulwark-no-such-library.so.3");
            Assert.False(Ja4Sha256.Current.IsNative);
            for (var i = 0; i < records.Count; i++)
            {
                var (text, ja4) = Compute(records[i].Record);
                Assert.Equal(records[i].Ja4, ja4);
                Assert.Equal(withDefault[i].Text, text);
                Assert.Equal(records[i].Ja4, withDefault[i].Ja4);
            }
        }
        finally
        {
            Ja4Sha256.Current = previous;
        }

        Assert.Equal(55, records.Count);
    }

    private static (string Text, string Ja4) Compute(byte[] record)
    {
        Assert.True(TlsClientFingerprinter.TryComputeInPlace(record, out var fast), "in-place path refused a reference hello");
        Assert.True(ClientHelloParser.TryParse(record, out var hello, out var error), error);
        var ja4 = Ja4Fingerprint.Compute(hello);
        Assert.Equal(ja4, fast.Ja4.ToString());
        return (fast.Text, ja4);
    }

    private static void AssertEqualsHashData(Ja4Sha256 sha256, int seed)
    {
        var random = new Random(seed);
        Span<byte> actual = stackalloc byte[SHA256.HashSizeInBytes];
        Span<byte> expected = stackalloc byte[SHA256.HashSizeInBytes];

        sha256.Hash([], actual);
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Convert.ToHexStringLower(actual));

        // Every length from 0 to 2000 bytes, then 2000 more inputs of random length, each at a random offset of a buffer.
        var buffer = new byte[2100];
        for (var i = 0; i <= 4000; i++)
        {
            random.NextBytes(buffer);
            var length = i <= 2000 ? i : random.Next(0, 2001);
            var data = buffer.AsSpan(random.Next(0, 100), length);
            actual.Clear();
            sha256.Hash(data, actual);
            SHA256.HashData(data, expected);
            Assert.True(actual.SequenceEqual(expected), $"length {length} (input {i})");
        }
    }

    private static bool LibcryptoHasEvpFetch()
    {
        if (!NativeLibrary.TryLoad("libcrypto.so.3", out var library))
        {
            return false;
        }

        var found = NativeLibrary.TryGetExport(library, "EVP_MD_fetch", out _) && NativeLibrary.TryGetExport(library, "EVP_Digest", out _);
        NativeLibrary.Free(library);
        return found;
    }
}
