using Bulwark.Core.Behavior;

namespace Bulwark.Core.Tests.Behavior;

public sealed class SipHashTests
{
    // Test vectors of the SipHash paper (appendix A) and the reference implementation's vectors.h: key 00 01 … 0f,
    // message 00 01 … (n-1).
    [Theory]
    [InlineData(0, 0x726fdb47dd0e0e31UL)]
    [InlineData(1, 0x74f839c593dc67fdUL)]
    [InlineData(8, 0x93f5f5799a932462UL)]
    [InlineData(15, 0xa129ca6149be45e5UL)]
    public void Matches_the_reference_vectors(int length, ulong expected)
    {
        var key = new byte[16];
        for (var i = 0; i < 16; i++)
        {
            key[i] = (byte)i;
        }

        var message = new byte[length];
        for (var i = 0; i < length; i++)
        {
            message[i] = (byte)i;
        }

        var k0 = BitConverter.ToUInt64(key, 0);
        var k1 = BitConverter.ToUInt64(key, 8);
        Assert.Equal(expected, SipHash.Hash(k0, k1, message));
    }

    [Fact]
    public void Depends_on_the_key()
    {
        var message = "correct horse battery staple"u8.ToArray();
        Assert.NotEqual(SipHash.Hash(1, 2, message), SipHash.Hash(1, 3, message));
        Assert.Equal(SipHash.Hash(1, 2, message), SipHash.Hash(1, 2, message));
    }
}
