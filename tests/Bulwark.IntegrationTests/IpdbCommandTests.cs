using System.Diagnostics;
using System.Text.Json;
using Bulwark.Cli.Commands;

namespace Bulwark.IntegrationTests;

/// <summary><c>bulwark ipdb build</c> and <c>bulwark ipdb lookup</c> end to end, through the command class and as a process.</summary>
public sealed class IpdbCommandTests : IDisposable
{
    private static readonly TimeProvider Clock = TimeProvider.System;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "bulwark-ipdb-cli-" + Guid.NewGuid().ToString("N"));

    public IpdbCommandTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string content)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public void Build_then_lookup_prints_one_json_object_per_address()
    {
        string asn = Write("asn-ipv4.csv", "1.0.0.0,1.0.0.255,13335,\"Cloudflare, Inc.\"\n1.0.1.0,1.0.1.255,bad,Broken\n");
        string country = Write("country-ipv4.csv", "1.0.0.0,1.0.0.255,AU\n");
        string tor = Write("tor-exit-nodes.txt", "1.0.0.9\n");
        string hostingAsns = Write("datacenter-ASN.txt", "AS13335 # Cloudflare\n");
        string deny = Write("ours.txt", "1.0.0.128/25\n");
        string db = Path.Combine(_dir, "out", "ipintel.db");
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        int exit = IpdbCommand.Build(db, [$"deny:{deny}"], [asn, country, tor, hostingAsns], Clock, stdout, stderr);

        Assert.Equal(0, exit);
        Assert.Equal("", stderr.ToString());
        string report = stdout.ToString();
        Assert.Contains("ours.txt", report, StringComparison.Ordinal);
        Assert.Contains("malformed: 1", report, StringComparison.Ordinal);
        Assert.Contains($"{asn}:2: malformed", report, StringComparison.Ordinal);
        Assert.Contains("bytes/range", report, StringComparison.Ordinal);

        stdout = new StringWriter();
        exit = IpdbCommand.Lookup(db, ["1.0.0.9", "::ffff:1.0.0.200", "192.168.1.1", "9.9.9.9"], stdout, stderr);
        Assert.Equal(0, exit);
        string[] lines = stdout.ToString().TrimEnd().Split('\n');
        Assert.Equal(4, lines.Length);

        using var first = JsonDocument.Parse(lines[0]);
        JsonElement o = first.RootElement;
        Assert.Equal(13335, o.GetProperty("asn").GetInt32());
        Assert.Equal("Cloudflare, Inc.", o.GetProperty("organisation").GetString());
        Assert.Equal("AU", o.GetProperty("country").GetString());
        Assert.Equal(JsonValueKind.Null, o.GetProperty("latitude").ValueKind);
        Assert.Equal(JsonValueKind.Null, o.GetProperty("longitude").ValueKind);
        Assert.Equal(JsonValueKind.Null, o.GetProperty("accuracy_km").ValueKind);
        Assert.Equal(["hosting", "tor"], o.GetProperty("kinds").EnumerateArray().Select(k => k.GetString()));
        Assert.Equal(["asn-ipv4.csv", "country-ipv4.csv", "tor-exit-nodes.txt", "datacenter-ASN.txt"], o.GetProperty("sources").EnumerateArray().Select(k => k.GetString()));

        using var second = JsonDocument.Parse(lines[1]);
        Assert.Equal(["hosting", "deny"], second.RootElement.GetProperty("kinds").EnumerateArray().Select(k => k.GetString()));
        using var third = JsonDocument.Parse(lines[2]);
        Assert.Equal(["private"], third.RootElement.GetProperty("kinds").EnumerateArray().Select(k => k.GetString()));
        using var fourth = JsonDocument.Parse(lines[3]);
        Assert.Equal(JsonValueKind.Null, fourth.RootElement.GetProperty("asn").ValueKind);
    }

    [Fact]
    public void Build_exits_2_on_an_unreadable_source_an_unclear_kind_or_a_bad_source_option()
    {
        string db = Path.Combine(_dir, "x.db");
        var stderr = new StringWriter();
        Assert.Equal(2, IpdbCommand.Build(db, [], [Path.Combine(_dir, "absent.csv")], Clock, TextWriter.Null, stderr));
        Assert.Contains("absent.csv", stderr.ToString(), StringComparison.Ordinal);

        string unclear = Write("mystery.txt", "1.2.3.0/24\n");
        stderr = new StringWriter();
        Assert.Equal(2, IpdbCommand.Build(db, [], [unclear], Clock, TextWriter.Null, stderr));
        Assert.Contains("--source KIND:PATH", stderr.ToString(), StringComparison.Ordinal);

        stderr = new StringWriter();
        Assert.Equal(2, IpdbCommand.Build(db, ["nonsense:" + unclear], [], Clock, TextWriter.Null, stderr));
        Assert.Contains("unknown kind", stderr.ToString(), StringComparison.Ordinal);

        stderr = new StringWriter();
        Assert.Equal(2, IpdbCommand.Build(db, ["vpn:" + Path.Combine(_dir, "gone.txt")], [], Clock, TextWriter.Null, stderr));
        Assert.Contains("gone.txt", stderr.ToString(), StringComparison.Ordinal);
        Assert.False(File.Exists(db));

        Assert.Equal(0, IpdbCommand.Build(db, ["vpn:" + unclear], [], Clock, TextWriter.Null, TextWriter.Null));
    }

    [Fact]
    public void Lookup_exits_2_on_a_corrupt_database_or_an_invalid_address()
    {
        string db = Path.Combine(_dir, "ok.db");
        Assert.Equal(0, IpdbCommand.Build(db, ["hosting:" + Write("dc.txt", "5.5.5.0/24\n")], [], Clock, TextWriter.Null, TextWriter.Null));

        var stdout = new StringWriter();
        var stderr = new StringWriter();
        Assert.Equal(2, IpdbCommand.Lookup(db, ["5.5.5.5", "not-an-ip"], stdout, stderr));
        Assert.Contains("not-an-ip", stderr.ToString(), StringComparison.Ordinal);
        Assert.Contains("\"hosting\"", stdout.ToString(), StringComparison.Ordinal);

        byte[] bytes = File.ReadAllBytes(db);
        File.WriteAllBytes(db, bytes[..^3]);
        stderr = new StringWriter();
        Assert.Equal(2, IpdbCommand.Lookup(db, ["5.5.5.5"], TextWriter.Null, stderr));
        Assert.Contains(db, stderr.ToString(), StringComparison.Ordinal);
        Assert.Contains("truncated", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_database_path_comes_from_db_then_configuration_then_the_default()
    {
        string config = Write("bulwark.json", """{ "Bulwark": { "IpIntel": { "Database": "/srv/ipintel.db" } } }""");
        Assert.Equal("given.db", IpdbCommand.ResolveDatabase("given.db", config));
        Assert.Equal("/srv/ipintel.db", IpdbCommand.ResolveDatabase(null, config));
        Assert.Equal(IpdbCommand.DefaultDatabase, IpdbCommand.ResolveDatabase(null, null));
    }

    [Fact]
    public async Task The_built_cli_builds_and_looks_up()
    {
        string list = Write("vpn-ipv4.txt", "45.0.0.0/16\n");
        string db = Path.Combine(_dir, "cli.db");
        var (exit, stdout, stderr) = await BulwarkCli.RunAsync("ipdb", "build", "--out", db, list);
        Assert.True(exit == 0, stderr);
        Assert.Contains("vpn-ipv4.txt", stdout, StringComparison.Ordinal);

        (exit, stdout, stderr) = await BulwarkCli.RunAsync("ipdb", "lookup", "--db", db, "45.0.3.4");
        Assert.True(exit == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        Assert.Equal(["vpn"], json.RootElement.GetProperty("kinds").EnumerateArray().Select(k => k.GetString()));

        (exit, _, stderr) = await BulwarkCli.RunAsync("ipdb", "build", "--out", db, Path.Combine(_dir, "absent.txt"));
        Assert.Equal(2, exit);
        Assert.Contains("absent.txt", stderr, StringComparison.Ordinal);
    }
}
