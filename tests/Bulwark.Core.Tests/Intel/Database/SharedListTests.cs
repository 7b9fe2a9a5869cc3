using Bulwark.Core.Intel;
using Bulwark.Core.Tests.Data;
using Xunit.Abstractions;
using static Bulwark.Core.Tests.Intel.Database.IpIntelTestKit;

namespace Bulwark.Core.Tests.Intel.Database;

/// <summary>The team's list snapshots in ../shared/data/ipintel build cleanly.</summary>
[Collection(LargeDataCollection.Name)]
public sealed class SharedListTests(ITestOutputHelper output)
{
    [DataFact(
        "shared:ipintel/x4bnet-datacenter-ipv4.txt", "shared:ipintel/x4bnet-datacenter-ipv6.txt",
        "shared:ipintel/x4bnet-vpn-ipv4.txt", "shared:ipintel/x4bnet-vpn-ipv6.txt",
        "shared:ipintel/x4bnet-datacenter-ASN.txt", "shared:ipintel/x4bnet-vpn-ASN.txt", "shared:ipintel/tor-exit-nodes.txt")]
    public void The_x4bnet_and_tor_lists_build_without_malformed_lines()
    {
        static string F(string name) => DataFactAttribute.Resolve("shared:ipintel/" + name);
        var (db, report) = Build(new IpIntelDatabaseBuilder()
            .AddCidrList(F("x4bnet-datacenter-ipv4.txt"), NetworkKind.Hosting)
            .AddCidrList(F("x4bnet-datacenter-ipv6.txt"), NetworkKind.Hosting)
            .AddCidrList(F("x4bnet-vpn-ipv4.txt"), NetworkKind.Vpn)
            .AddCidrList(F("x4bnet-vpn-ipv6.txt"), NetworkKind.Vpn)
            .AddAsnList(F("x4bnet-datacenter-ASN.txt"), NetworkKind.Hosting)
            .AddAsnList(F("x4bnet-vpn-ASN.txt"), NetworkKind.Vpn)
            .AddCidrList(F("tor-exit-nodes.txt"), NetworkKind.Tor));

        foreach (var issue in report.Examples)
        {
            output.WriteLine(issue.ToString());
        }

        Assert.Equal(0, report.Malformed);
        Assert.Equal(0, report.Conflicts);
        Assert.True(report.InputRangesV4 > 50_000);
        Assert.True(report.InputRangesV6 > 9_000);
        Assert.Equal(NetworkKind.Hosting, db.At("1.12.0.1").Kinds & NetworkKind.Hosting);
        Assert.Equal(NetworkKind.Vpn, db.At("2.26.157.9").Kinds & NetworkKind.Vpn);
        Assert.Equal(NetworkKind.Tor, db.At("101.99.92.179").Kinds & NetworkKind.Tor);
        Assert.Equal(NetworkKind.Hosting, db.At("2001:310::1").Kinds & NetworkKind.Hosting);
    }
}
