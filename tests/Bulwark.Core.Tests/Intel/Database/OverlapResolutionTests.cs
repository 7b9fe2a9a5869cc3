using Bulwark.Core.Intel;
using static Bulwark.Core.Tests.Intel.Database.IpIntelTestKit;

namespace Bulwark.Core.Tests.Intel.Database;

public sealed class OverlapResolutionTests
{
    [Fact]
    public void The_most_specific_range_wins_even_over_a_later_source()
    {
        using var dir = new TempFolder();
        string narrow = dir.Write("narrow.csv", "1.2.3.0,1.2.3.255,200,Narrow Org\n");
        string wide = dir.Write("wide.csv", "1.0.0.0,1.255.255.255,100,Wide Org\n");
        var (db, report) = Build(new IpIntelDatabaseBuilder().AddRangeCsv(narrow).AddRangeCsv(wide));

        Assert.Equal(200u, db.At("1.2.3.7").Asn);
        Assert.Equal("Narrow Org", db.At("1.2.3.255").Organisation);
        Assert.Equal(100u, db.At("1.2.2.255").Asn);
        Assert.Equal(100u, db.At("1.2.4.0").Asn);
        Assert.Equal(100u, db.At("1.0.0.0").Asn);
        Assert.Equal(100u, db.At("1.255.255.255").Asn);
        Assert.Equal(0u, db.At("2.0.0.0").Asn);
        Assert.Equal(0u, db.At("0.255.255.255").Asn);
        Assert.Equal(0, report.Conflicts);
    }

    [Fact]
    public void Among_equally_specific_ranges_the_later_source_wins()
    {
        using var dir = new TempFolder();
        string a = dir.Write("a.csv", "5.0.0.0,5.0.0.255,1,First\n5.0.0.0,5.0.0.255,FR\n");
        string b = dir.Write("b.csv", "5.0.0.0,5.0.0.255,2,Second\n");
        var (db, _) = Build(new IpIntelDatabaseBuilder().AddRangeCsv(a).AddRangeCsv(b));

        IpInfo info = db.At("5.0.0.9");
        Assert.Equal(2u, info.Asn);
        Assert.Equal("Second", info.Organisation);
        Assert.Equal("FR", info.Country); // fields merge: the later source had no country to say
        Assert.Equal(["bulwark:special-ranges", "a.csv", "b.csv"], db.Sources);
        Assert.Equal(0b110ul, info.SourceMask);
    }

    [Fact]
    public void Fields_merge_across_sources_and_kinds_add_up()
    {
        using var dir = new TempFolder();
        string asn = dir.Write("asn.csv", "6.0.0.0,6.0.255.255,64500,\"Example, Inc.\"\n2a00::,2a00:ffff:ffff:ffff:ffff:ffff:ffff:ffff,64501,V6 Org\n");
        string country = dir.Write("country.csv", "6.0.0.0,6.0.127.255,DE\n6.0.128.0,6.0.255.255,at\n2a00::,2a00:ff::ffff,NL\n");
        string hosting = dir.Write("dc.txt", "6.0.1.0/24\n2a00:1::/32\n");
        string vpn = dir.Write("vpn.txt", "# comment\n6.0.1.128/25  # trailing comment\n");
        var (db, report) = Build(new IpIntelDatabaseBuilder()
            .AddRangeCsv(asn).AddRangeCsv(country).AddCidrList(hosting, NetworkKind.Hosting).AddCidrList(vpn, NetworkKind.Vpn));

        IpInfo both = db.At("6.0.1.200");
        Assert.Equal(64500u, both.Asn);
        Assert.Equal("Example, Inc.", both.Organisation);
        Assert.Equal("DE", both.Country);
        Assert.Equal(NetworkKind.Hosting | NetworkKind.Vpn, both.Kinds);
        Assert.Equal(NetworkKind.Hosting, db.At("6.0.1.127").Kinds);
        Assert.Equal(NetworkKind.None, db.At("6.0.2.0").Kinds);
        Assert.Equal("AT", db.At("6.0.200.1").Country);

        IpInfo v6 = db.At("2a00:1::5");
        Assert.Equal(64501u, v6.Asn);
        Assert.Equal(NetworkKind.Hosting, v6.Kinds);
        Assert.Equal("NL", v6.Country);
        Assert.Null(db.At("2a00:100::1").Country);
        Assert.Equal(0, report.Malformed);
    }

    [Fact]
    public void Asn_lists_mark_every_range_of_the_listed_systems()
    {
        using var dir = new TempFolder();
        string asn = dir.Write("asn.csv", "7.0.0.0,7.0.0.255,64500,Cloud\n7.0.1.0,7.0.1.255,64501,Home ISP\n2a01::,2a01::ffff,64500,Cloud\n");
        string list = dir.Write("dc-ASN.txt", "AS64500 # Cloud\nAS64999 # absent\n");
        var (db, _) = Build(new IpIntelDatabaseBuilder().AddRangeCsv(asn).AddAsnList(list, NetworkKind.Hosting));

        Assert.Equal(NetworkKind.Hosting, db.At("7.0.0.1").Kinds);
        Assert.Equal(NetworkKind.Hosting, db.At("2a01::1").Kinds);
        Assert.Equal(NetworkKind.None, db.At("7.0.1.1").Kinds);
        Assert.Contains("dc-ASN.txt", db.Sources);
        Assert.NotEqual(0ul, db.At("7.0.0.1").SourceMask & (1ul << 2));
    }

    [Fact]
    public void Ranges_at_the_ends_of_the_address_space_are_kept()
    {
        using var dir = new TempFolder();
        string csv = dir.Write("edge.csv", "255.255.255.0,255.255.255.255,1,Top4\nffff::,ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff,2,Top6\n");
        var (db, _) = Build(new IpIntelDatabaseBuilder().AddRangeCsv(csv));

        Assert.Equal(1u, db.At("255.255.255.255").Asn);
        Assert.Equal(0u, db.At("255.255.254.255").Asn);
        Assert.Equal(2u, db.At("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff").Asn);
        Assert.Equal(0u, db.At("fffe:ffff:ffff:ffff:ffff:ffff:ffff:ffff").Asn);
    }

    [Fact]
    public void Ranges_inside_one_ipv6_64_are_told_apart()
    {
        using var dir = new TempFolder();
        string csv = dir.Write("v6.csv", "2a05::,2a05::ffff:ffff:ffff:ffff:ffff,1,Wide\n2a05:0:0:1::10,2a05:0:0:1::1f,2,A\n2a05:0:0:1::100,2a05:0:0:1::1ff,3,B\n2a05:0:0:1::300,2a05:0:0:1::300,4,C\n");
        var (db, _) = Build(new IpIntelDatabaseBuilder().AddRangeCsv(csv));

        Assert.Equal(1u, db.At("2a05:0:0:1::f").Asn);
        Assert.Equal(1u, db.At("2a05:0:0:1::").Asn);
        Assert.Equal(2u, db.At("2a05:0:0:1::10").Asn);
        Assert.Equal(2u, db.At("2a05:0:0:1::1f").Asn);
        Assert.Equal(1u, db.At("2a05:0:0:1::20").Asn);
        Assert.Equal(3u, db.At("2a05:0:0:1::150").Asn);
        Assert.Equal(1u, db.At("2a05:0:0:1::2ff").Asn);
        Assert.Equal(4u, db.At("2a05:0:0:1::300").Asn);
        Assert.Equal(1u, db.At("2a05:0:0:1::301").Asn);
        Assert.Equal(1u, db.At("2a05:0:0:1:ffff:ffff:ffff:ffff").Asn);
        Assert.Equal(1u, db.At("2a05:0:0:1:ffff::").Asn);
        Assert.Equal(0u, db.At("2a06::").Asn);
    }

    [Fact]
    public void Duplicates_and_conflicts_within_a_source_are_reported_with_their_lines()
    {
        using var dir = new TempFolder();
        string csv = dir.Write("dup.csv", "8.0.0.0,8.0.0.255,1,A\n8.0.0.0,8.0.0.255,1,A\n8.0.0.0,8.0.0.255,2,B\n8.0.0.128,8.0.1.255,3,C\n");
        var (db, report) = Build(new IpIntelDatabaseBuilder().AddRangeCsv(csv));

        Assert.Equal(1, report.Duplicates);
        Assert.Equal(2, report.Conflicts);
        Assert.Contains(report.Examples, e => e.File == csv && e.Line == 2 && e.Kind == Core.Intel.Database.IpIntelBuildIssueKind.Duplicate);
        Assert.Contains(report.Examples, e => e.File == csv && e.Line == 4 && e.Kind == Core.Intel.Database.IpIntelBuildIssueKind.Conflict);
        Assert.Equal(2u, db.At("8.0.0.1").Asn);   // same range: the later line wins
        Assert.Equal(2u, db.At("8.0.0.200").Asn); // smaller of the overlapping ranges
        Assert.Equal(3u, db.At("8.0.1.1").Asn);
    }
}
