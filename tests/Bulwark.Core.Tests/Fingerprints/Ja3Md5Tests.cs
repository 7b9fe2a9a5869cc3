using System.Security.Cryptography;
using System.Text;
using Bulwark.Core.Fingerprints;

namespace Bulwark.Core.Tests.Fingerprints;

/// <summary>The managed MD5 of the in-place path against RFC 1321's test suite and against OpenSSL's (<c>MD5.HashData</c>).</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5351", Justification = "MD5 is what is tested.")]
public sealed class Ja3Md5Tests
{
    [Theory]
    [InlineData("", "d41d8cd98f00b204e9800998ecf8427e")]
    [InlineData("a", "0cc175b9c0f1b6a831c399e269772661")]
    [InlineData("abc", "900150983cd24fb0d6963f7d28e17f72")]
    [InlineData("message digest", "f96b697d7cb7938d525a2f31aaf161d0")]
    [InlineData("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b")]
    [InlineData("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f")]
    [InlineData("12345678901234567890123456789012345678901234567890123456789012345678901234567890", "57edf4a22be3c955ac49da2e2107b67a")]
    public void Rfc1321_test_suite(string input, string expected)
    {
        Span<byte> digest = stackalloc byte[Ja3Md5.HashSizeInBytes];
        Ja3Md5.Hash(Encoding.ASCII.GetBytes(input), digest);
        Assert.Equal(expected, Convert.ToHexStringLower(digest));
    }

    [Fact]
    public void Equals_openssl_on_every_length_up_to_five_blocks()
    {
        var random = new Random(1321);
        Span<byte> managed = stackalloc byte[Ja3Md5.HashSizeInBytes];
        Span<byte> openssl = stackalloc byte[MD5.HashSizeInBytes];
        for (var length = 0; length <= 320; length++)
        {
            var data = new byte[length];
            random.NextBytes(data);
            Ja3Md5.Hash(data, managed);
            MD5.HashData(data, openssl);
            Assert.True(managed.SequenceEqual(openssl), $"length {length}");
        }
    }
}
