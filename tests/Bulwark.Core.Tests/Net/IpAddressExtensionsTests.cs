using System.Net;
using Bulwark.Core.Net;

namespace Bulwark.Core.Tests.Net;

public class IpAddressExtensionsTests
{
    [Fact]
    public void Normalize_unwraps_mapped_addresses_and_drops_scope_ids()
    {
        Assert.Equal(IPAddress.Parse("203.0.113.7"), IPAddress.Parse("::ffff:203.0.113.7").Normalize());
        IPAddress scoped = IPAddress.Parse("fe80::1%4");
        Assert.Equal(0, scoped.Normalize().ScopeId);
        IPAddress v4 = IPAddress.Parse("203.0.113.7");
        Assert.Same(v4, v4.Normalize());
        IPAddress v6 = IPAddress.Parse("2001:db8::1");
        Assert.Same(v6, v6.Normalize());
    }

    [Theory]
    [InlineData("203.0.113.77", 24, "203.0.113.0")]
    [InlineData("203.0.113.77", 32, "203.0.113.77")]
    [InlineData("203.0.113.77", 0, "0.0.0.0")]
    [InlineData("203.0.113.77", 20, "203.0.112.0")]
    [InlineData("::ffff:203.0.113.77", 16, "203.0.0.0")]
    [InlineData("2001:db8:1:2:3:4:5:6", 48, "2001:db8:1::")]
    [InlineData("2001:db8:1:2:3:4:5:6", 64, "2001:db8:1:2::")]
    [InlineData("2001:db8:1:2:3:4:5:6", 128, "2001:db8:1:2:3:4:5:6")]
    [InlineData("2001:db8:1:2:3:4:5:6", 0, "::")]
    public void MaskToPrefix_gives_the_network_address(string address, int prefix, string expected) =>
        Assert.Equal(IPAddress.Parse(expected), IPAddress.Parse(address).MaskToPrefix(prefix));

    [Theory]
    [InlineData("203.0.113.7", 33)]
    [InlineData("2001:db8::1", 129)]
    [InlineData("2001:db8::1", -1)]
    [InlineData("::ffff:203.0.113.7", 64)]
    public void MaskToPrefix_refuses_a_prefix_too_long_for_the_family(string address, int prefix) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => IPAddress.Parse(address).MaskToPrefix(prefix));

    [Theory]
    [InlineData("203.0.113.7", 64, "203.0.113.7")]
    [InlineData("::ffff:203.0.113.7", 64, "203.0.113.7")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", 64, "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2::1", 56, "2001:db8:1::/56")]
    [InlineData("2001:db8:1:2::1", 128, "2001:db8:1:2::1/128")]
    [InlineData("fe80::1%7", 64, "fe80::/64")]
    public void FormatGroup(string address, int prefix, string expected)
    {
        IPAddress ip = IPAddress.Parse(address);
        Assert.Equal(expected, ip.FormatGroup(prefix));

        Span<char> buffer = stackalloc char[IpAddressExtensions.MaxFormattedLength];
        Assert.True(ip.TryFormatGroup(prefix, buffer, out int written));
        Assert.Equal(expected, buffer[..written].ToString());
    }

    [Fact]
    public void Addresses_in_one_slash_64_share_a_group_and_others_do_not()
    {
        string a = IPAddress.Parse("2001:db8:aa:bb:1::1").FormatGroup(64);
        string b = IPAddress.Parse("2001:db8:aa:bb:ffff:ffff:ffff:fffe").FormatGroup(64);
        string c = IPAddress.Parse("2001:db8:aa:bc:1::1").FormatGroup(64);

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Theory]
    [InlineData("203.0.113.7", "203.0.113.0/24")]
    [InlineData("::ffff:203.0.113.7", "203.0.113.0/24")]
    [InlineData("2001:db8:1:2:3:4:5:6", "2001:db8:1::/48")]
    [InlineData("2001:db8::1", "2001:db8::/48")]
    public void FormatMasked_uses_the_configured_prefixes(string address, string expected) =>
        Assert.Equal(expected, IPAddress.Parse(address).FormatMasked(24, 48));

    [Fact]
    public void TryFormat_reports_a_short_destination()
    {
        IPAddress ip = IPAddress.Parse("2001:db8:1:2:3:4:5:6");
        Span<char> small = stackalloc char[10];

        Assert.False(ip.TryFormatGroup(64, small, out _));
        Assert.False(ip.TryFormatMasked(24, 48, small, out _));
        Assert.False(IPAddress.Parse("203.0.113.77").TryFormatGroup(64, small[..5], out _));
    }

    [Fact]
    public void The_longest_text_fits_MaxFormattedLength()
    {
        IPAddress ip = IPAddress.Parse("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");

        Assert.Equal(IpAddressExtensions.MaxFormattedLength, ip.FormatGroup(128).Length);
    }

    [Theory]
    // RFC 5952: lower case, no leading zeros, longest zero run compressed, first on ties, single zero group kept.
    [InlineData("2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1/128")]
    [InlineData("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1/128")]
    [InlineData("2001:0:0:1:0:0:0:1", "2001:0:0:1::1/128")]
    [InlineData("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1/128")]
    [InlineData("::", "::/128")]
    [InlineData("::1", "::1/128")]
    [InlineData("fe80::", "fe80::/128")]
    [InlineData("1:2:3:4:5:6:7:0", "1:2:3:4:5:6:7:0/128")]
    public void IPv6_text_is_canonical(string address, string expected) =>
        Assert.Equal(expected, IPAddress.Parse(address).FormatGroup(128));

    [Fact]
    public void IPv6_text_matches_the_runtime_for_ordinary_addresses()
    {
        var random = new Random(7);
        byte[] bytes = new byte[16];
        for (int i = 0; i < 2000; i++)
        {
            random.NextBytes(bytes);
            bytes[0] = 0x20;
            for (int z = 0; z < 16; z++)
            {
                if (random.Next(3) == 0)
                {
                    bytes[z] = 0;
                }
            }

            bytes[0] = 0x20;
            bytes[10] = 0; // never ISATAP (group 5 = 5efe), which the runtime writes with an embedded IPv4 address
            var ip = new IPAddress(bytes);
            Assert.Equal(ip + "/128", ip.FormatGroup(128));
        }
    }

    [Fact]
    public void TryFormatGroup_does_not_allocate()
    {
        IPAddress v6 = IPAddress.Parse("2001:db8:1:2:3:4:5:6"), mapped = IPAddress.Parse("::ffff:203.0.113.7");
        char[] buffer = new char[IpAddressExtensions.MaxFormattedLength];
        v6.TryFormatGroup(64, buffer, out _);
        mapped.TryFormatGroup(64, buffer, out _);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            v6.TryFormatGroup(64, buffer, out _);
            mapped.TryFormatGroup(64, buffer, out _);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
