using System.Net;
using Bulwark.Core.Net;

namespace Bulwark.Core.Tests.Net;

public class IpNetworkSetTests
{
    [Theory]
    [InlineData("203.0.113.0/24", "203.0.113.0", true)]
    [InlineData("203.0.113.0/24", "203.0.113.255", true)]
    [InlineData("203.0.113.0/24", "203.0.112.255", false)]
    [InlineData("203.0.113.0/24", "203.0.114.0", false)]
    [InlineData("203.0.113.7", "203.0.113.7", true)]
    [InlineData("203.0.113.7", "203.0.113.8", false)]
    [InlineData("203.0.113.7/24", "203.0.113.200", true)]
    [InlineData("0.0.0.0/0", "255.255.255.255", true)]
    [InlineData("0.0.0.0/0", "2001:db8::1", false)]
    [InlineData("2001:db8::/32", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", true)]
    [InlineData("2001:db8::/32", "2001:db8::", true)]
    [InlineData("2001:db8::/32", "2001:db9::", false)]
    [InlineData("2001:db8::/32", "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", false)]
    [InlineData("2001:db8::1", "2001:db8::1", true)]
    [InlineData("2001:db8::1", "2001:db8::2", false)]
    [InlineData("::/0", "2001:db8::1", true)]
    [InlineData("2001:db8::/32", "32.1.13.184", false)]
    // IPv4-mapped addresses and networks count as IPv4.
    [InlineData("10.0.0.0/8", "::ffff:10.1.2.3", true)]
    [InlineData("10.0.0.0/8", "::ffff:11.1.2.3", false)]
    [InlineData("::ffff:10.0.0.0/104", "10.1.2.3", true)]
    [InlineData("::ffff:10.0.0.0/104", "11.1.2.3", false)]
    [InlineData("::ffff:10.0.0.1", "10.0.0.1", true)]
    [InlineData("::ffff:0:0/96", "198.51.100.7", true)]
    [InlineData("::/0", "198.51.100.7", true)]
    [InlineData("::/64", "198.51.100.7", true)]
    [InlineData("2001:db8::/32", "::ffff:198.51.100.7", false)]
    public void Contains(string network, string address, bool expected)
    {
        IpNetworkSet set = IpNetworkSet.Parse([network]);

        Assert.Equal(expected, set.Contains(IPAddress.Parse(address)));
    }

    [Fact]
    public void Nested_and_duplicate_networks_collapse_into_the_widest()
    {
        IpNetworkSet set = IpNetworkSet.Parse(["10.1.0.0/16", "10.0.0.0/8", "10.0.0.0/8", "10.1.2.3", "2001:db8:1::/48", "2001:db8::/32"]);

        Assert.Equal(2, set.Count);
        Assert.True(set.TryFind(IPAddress.Parse("10.1.2.3"), out string? network));
        Assert.Equal("10.0.0.0/8", network);
        Assert.True(set.TryFind(IPAddress.Parse("2001:db8:1::1"), out network));
        Assert.Equal("2001:db8::/32", network);
        Assert.Equal(["10.0.0.0/8", "2001:db8::/32"], set.ToStrings());
    }

    [Fact]
    public void Adjacent_networks_both_match()
    {
        IpNetworkSet set = IpNetworkSet.Parse(["10.0.0.128/25", "10.0.0.0/25"]);

        Assert.Equal(2, set.Count);
        Assert.True(set.Contains(IPAddress.Parse("10.0.0.127")));
        Assert.True(set.Contains(IPAddress.Parse("10.0.0.128")));
        Assert.False(set.Contains(IPAddress.Parse("10.0.1.0")));
        Assert.True(set.TryFind(IPAddress.Parse("10.0.0.200"), out string? network));
        Assert.Equal("10.0.0.128/25", network);
    }

    [Fact]
    public void Empty_contains_nothing()
    {
        Assert.False(IpNetworkSet.Empty.Contains(IPAddress.Parse("10.0.0.1")));
        Assert.True(IpNetworkSet.Empty.IsEmpty);
        Assert.Same(IpNetworkSet.Empty, IpNetworkSet.Parse([]));
        Assert.False(IpNetworkSet.Empty.TryFind(IPAddress.Loopback, out _));
    }

    [Fact]
    public void Bad_entries_are_all_reported()
    {
        string[] entries = ["10.0.0.0/8", "nope", "10.0.0.0/33", "", "127.1", "2001:db8::/129", "1.2.3.4/", "1.2.3.4/-1", "[::1]/128", "::ffff:10.0.0.0/129"];

        bool ok = IpNetworkSet.TryParse(entries, out IpNetworkSet set, out IReadOnlyList<string> errors);

        Assert.False(ok);
        Assert.Same(IpNetworkSet.Empty, set);
        Assert.Equal(entries.Length - 1, errors.Count);
        Assert.Contains(errors, e => e.Contains("'nope'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("'33'", StringComparison.Ordinal) && e.Contains("0 to 32", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("0 to 128", StringComparison.Ordinal));
        FormatException thrown = Assert.Throws<FormatException>(() => IpNetworkSet.Parse(entries));
        Assert.Contains("nope", thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Thousands_of_ranges_agree_with_a_linear_scan()
    {
        var random = new Random(42);
        var networks = new List<(uint Start, uint End)>();
        var text = new List<string>();
        for (int i = 0; i < 5000; i++)
        {
            int prefix = random.Next(8, 33);
            uint mask = prefix == 0 ? 0 : uint.MaxValue << (32 - prefix);
            uint start = (uint)random.NextInt64(0, 1L << 32) & mask;
            networks.Add((start, start | ~mask));
            text.Add($"{new IPAddress(System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(start))}/{prefix}");
        }

        IpNetworkSet set = IpNetworkSet.Parse(text);
        for (int i = 0; i < 20_000; i++)
        {
            uint probe = i % 2 == 0 ? (uint)random.NextInt64(0, 1L << 32) : networks[random.Next(networks.Count)].Start + (uint)random.Next(0, 3);
            bool expected = networks.Exists(n => probe >= n.Start && probe <= n.End);
            var address = new IPAddress(System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(probe));
            Assert.Equal(expected, set.Contains(address));
        }
    }

    [Fact]
    public void Contains_does_not_allocate()
    {
        IpNetworkSet set = IpNetworkSet.Parse(["10.0.0.0/8", "2001:db8::/32"]);
        IPAddress v4 = IPAddress.Parse("10.1.2.3"), v6 = IPAddress.Parse("2001:db8::1"), mapped = IPAddress.Parse("::ffff:10.1.2.3");
        set.Contains(v4);
        set.Contains(v6);
        set.Contains(mapped);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            set.Contains(v4);
            set.Contains(v6);
            set.Contains(mapped);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
