using Bulwark.Core.Intel;
using static Bulwark.Core.Tests.Intel.Database.IpIntelTestKit;

namespace Bulwark.Core.Tests.Intel.Database;

public sealed class AddressHandlingTests
{
    private static readonly IpIntelDatabase Db = Build(new IpIntelDatabaseBuilder()).Database;

    [Theory]
    [InlineData("10.1.2.3")]
    [InlineData("172.31.255.255")]
    [InlineData("192.168.0.1")]
    [InlineData("127.0.0.1")]
    [InlineData("169.254.10.10")]
    [InlineData("100.64.0.1")]
    [InlineData("100.127.255.255")]
    [InlineData("::1")]
    [InlineData("fc00::1")]
    [InlineData("fd12:3456::1")]
    [InlineData("fe80::1")]
    [InlineData("fe80::1%3")]
    [InlineData("::ffff:10.0.0.1")]
    [InlineData("::ffff:192.168.1.1")]
    public void Private_and_local_ranges_are_tagged_private(string address)
    {
        IpInfo info = Db.At(address);
        Assert.Equal(NetworkKind.Private, info.Kinds);
        Assert.Equal(1ul, info.SourceMask); // the built-in source
    }

    [Theory]
    [InlineData("0.1.2.3")]
    [InlineData("192.0.2.1")]
    [InlineData("198.51.100.7")]
    [InlineData("203.0.113.7")]
    [InlineData("198.18.0.1")]
    [InlineData("224.0.0.1")]
    [InlineData("239.255.255.255")]
    [InlineData("240.0.0.1")]
    [InlineData("255.255.255.255")]
    [InlineData("::")]
    [InlineData("2001:db8::1")]
    [InlineData("3fff::1")]
    [InlineData("ff02::1")]
    [InlineData("100::1")]
    [InlineData("::ffff:203.0.113.9")]
    public void Documentation_reserved_and_multicast_ranges_are_tagged_bogon(string address) =>
        Assert.Equal(NetworkKind.Bogon, Db.At(address).Kinds);

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("100.63.255.255")]
    [InlineData("100.128.0.0")]
    [InlineData("172.32.0.0")]
    [InlineData("2606:4700::1111")]
    [InlineData("2002:c0a8:0101::1")] // 6to4 of 192.168.1.1: not unwrapped
    [InlineData("2002:cb00:7107::1")] // 6to4 of 203.0.113.7: not unwrapped
    [InlineData("2001:0:4136:e378:8000:63bf:3fff:fdd2")] // Teredo: not unwrapped
    public void Public_addresses_6to4_and_teredo_are_not_tagged(string address) =>
        Assert.Equal(NetworkKind.None, Db.At(address).Kinds);

    [Fact]
    public void Mapped_and_plain_ipv4_give_the_same_answer_and_zones_are_ignored()
    {
        using var dir = new TempFolder();
        string csv = dir.Write("asn.csv", "20.0.0.0,20.0.0.255,64500,Mapped\nfe80::,fe80::ffff,64501,LinkLocal\n");
        var (db, _) = Build(new IpIntelDatabaseBuilder().AddRangeCsv(csv));

        Assert.Equal(db.At("20.0.0.5"), db.At("::ffff:20.0.0.5"));
        Assert.Equal(64500u, db.At("::ffff:20.0.0.5").Asn);
        Assert.Equal(db.At("fe80::5"), db.At("fe80::5%eth0".Replace("eth0", "7", StringComparison.Ordinal)));
        Assert.Equal(64501u, db.At("fe80::5%7").Asn);
        Assert.Equal(NetworkKind.Private, db.At("fe80::5%7").Kinds);
    }

    [Fact]
    public void The_empty_database_knows_nothing()
    {
        Assert.False(IpIntelDatabase.Empty.At("10.0.0.1").IsKnown);
        Assert.False(IpIntelDatabase.Empty.At("2001:db8::1").IsKnown);
        Assert.Empty(IpIntelDatabase.Empty.Sources);
    }
}
