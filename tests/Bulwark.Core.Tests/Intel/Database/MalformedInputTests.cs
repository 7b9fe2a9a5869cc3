using Bulwark.Core.Intel;
using Bulwark.Core.Intel.Database;
using static Bulwark.Core.Tests.Intel.Database.IpIntelTestKit;

namespace Bulwark.Core.Tests.Intel.Database;

public sealed class MalformedInputTests
{
    [Fact]
    public void Bad_cidr_lines_are_reported_with_file_and_line_and_skipped()
    {
        using var dir = new TempFolder();
        string list = dir.Write("vpn.txt", "9.0.0.0/24\n9.0.1.0/33\nnot-a-network\n\n# only a comment\n9.0.2.0/24\n2a02::/200\n");
        var (db, report) = Build(new IpIntelDatabaseBuilder().AddCidrList(list, NetworkKind.Vpn));

        Assert.Equal(3, report.Malformed);
        Assert.Contains(report.Examples, e => e.File == list && e.Line == 2 && e.Kind == IpIntelBuildIssueKind.Malformed);
        Assert.Contains(report.Examples, e => e.File == list && e.Line == 3);
        Assert.Contains(report.Examples, e => e.File == list && e.Line == 7);
        Assert.Equal(NetworkKind.Vpn, db.At("9.0.0.1").Kinds);
        Assert.Equal(NetworkKind.Vpn, db.At("9.0.2.1").Kinds);
        Assert.Equal(NetworkKind.None, db.At("9.0.1.1").Kinds);
    }

    [Theory]
    [InlineData("10.0.0.255,10.0.0.0,1,Reversed", "reversed")]
    [InlineData("11.0.0.0,2a03::1,1,Mixed", "mixed address families")]
    [InlineData("11.0.0.0,11.0.0.255,AS12,NotNumeric", "not a number")]
    [InlineData("11.0.0.0,11.0.0.255,-5,Negative", "not a number")]
    [InlineData("11.0.0.0,11.0.0.255", "2 columns")]
    [InlineData("11.0.0.0,11.0.0.255,1,\"Unterminated", "unterminated")]
    [InlineData("11.0.0.0,11.0.0.255,USA", "not an ISO 3166-1")]
    [InlineData("11.0.0,11.0.0.255,US", "not an IPv4 or IPv6 address")]
    public void Bad_csv_rows_are_reported_with_file_and_line_and_skipped(string row, string expected)
    {
        using var dir = new TempFolder();
        string csv = dir.Write("ranges.csv", "12.0.0.0,12.0.0.255,64500,Good\n" + row + "\n12.0.1.0,12.0.1.255,64501,\"Also, good\"\n");
        var (db, report) = Build(new IpIntelDatabaseBuilder().AddRangeCsv(csv));

        Assert.Equal(1, report.Malformed);
        IpIntelBuildIssue issue = Assert.Single(report.Examples);
        Assert.Equal(csv, issue.File);
        Assert.Equal(2, issue.Line);
        Assert.Contains(expected, issue.Message, StringComparison.Ordinal);
        Assert.StartsWith(csv + ":2: malformed:", issue.ToString(), StringComparison.Ordinal);
        Assert.Equal(64500u, db.At("12.0.0.1").Asn);
        Assert.Equal("Also, good", db.At("12.0.1.1").Organisation);
    }

    [Fact]
    public void Bad_asn_list_lines_are_reported()
    {
        using var dir = new TempFolder();
        string list = dir.Write("vpn-ASN.txt", "AS64500 # ok\nASX # bad\n64501\nAS64500 # again\n");
        var (_, report) = Build(new IpIntelDatabaseBuilder().AddAsnList(list, NetworkKind.Vpn));

        Assert.Equal(1, report.Malformed);
        Assert.Equal(1, report.Duplicates);
        Assert.Contains(report.Examples, e => e.Line == 2 && e.Kind == IpIntelBuildIssueKind.Malformed);
        Assert.Contains(report.Examples, e => e.Line == 4 && e.Kind == IpIntelBuildIssueKind.Duplicate);
        Assert.Equal(2, report.Sources[1].Entries);
    }

    [Fact]
    public void A_source_that_cannot_be_read_fails_the_build_naming_the_file()
    {
        using var dir = new TempFolder();
        string missing = dir.File_("absent.csv");
        var error = Assert.Throws<IpIntelDatabaseException>(() => Build(new IpIntelDatabaseBuilder().AddRangeCsv(missing)));
        Assert.Equal(missing, error.FilePath);
        Assert.Contains("cannot read", error.Message, StringComparison.Ordinal);
    }
}
