using System.Text;
using System.Text.RegularExpressions;
using Bulwark.Core.Policy;
using Bulwark.Core.Replay;
using Bulwark.Core.Simulation;

namespace Bulwark.Core.Tests.Simulation;

[Collection(SimulationCollection.Name)]
public partial class SimulatorTests
{
    // Small counts keep the built-in-data tests fast; the real-data tests use the defaults.
    private static readonly SimulationOptions Small = new() { ProxyAddresses = 2_000, FloodAddresses = 1_000 };

    private static byte[] Bytes(SimulationData data, SimulationOptions options, string scenario)
    {
        var requests = new Simulator(data, options).Generate(ScenarioCatalogue.Select(scenario)!);
        using var stream = new MemoryStream();
        RequestRecordWriter.Write(stream, requests);
        return stream.ToArray();
    }

    private static List<RequestRecord> Parse(byte[] bytes)
    {
        var parser = new RequestRecordParser(new IdentityOptions());
        var records = new List<RequestRecord>();
        var lines = Encoding.UTF8.GetString(bytes).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < lines.Length; i++)
        {
            Assert.True(parser.TryParse(Encoding.UTF8.GetBytes(lines[i]), i + 1, out var record, out var error), $"line {i + 1}: {error}\n{lines[i]}");
            records.Add(record);
        }

        return records;
    }

    [Fact]
    public void The_same_seed_gives_the_same_bytes_and_another_seed_different_ones()
    {
        var data = SimulationData.BuiltInForTests();
        var first = Bytes(data, Small, "all");
        var second = Bytes(data, Small, "all");
        var other = Bytes(data, Small with { Seed = 2 }, "all");

        Assert.True(first.Length > 100_000);
        Assert.Equal(first, second);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void A_scenario_alone_is_the_same_traffic_as_in_the_mix()
    {
        var data = SimulationData.BuiltInForTests();
        var alone = Parse(Bytes(data, Small, "brute-force")).Select(r => (r.Request.Timestamp, r.Request.Path, r.Request.ClientIp.ToString())).ToList();
        var mixed = Parse(Bytes(data, Small, "all")).Where(r => r.Label == "attack:brute_force").Select(r => (r.Request.Timestamp, r.Request.Path, r.Request.ClientIp.ToString())).ToList();
        Assert.Equal(alone, mixed);
    }

    [Fact]
    public void Scenario_names_are_kebab_case_and_labels_follow_the_contract()
    {
        var names = ScenarioCatalogue.Scenarios.Select(s => s.Name).ToList();
        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.All(ScenarioCatalogue.Scenarios, s =>
        {
            Assert.Matches(KebabCase(), s.Name);
            Assert.Matches(LabelPattern(), s.Label);
        });
        Assert.Equal(5, ScenarioCatalogue.Scenarios.Count(s => s.IsLegit));
        Assert.Null(ScenarioCatalogue.Select("no-such-scenario"));
        Assert.Equal(ScenarioCatalogue.Scenarios.Count, ScenarioCatalogue.Select("all")!.Count);
    }

    [Fact]
    public void Every_scenario_writes_valid_records_with_its_label_in_time_order()
    {
        var data = SimulationData.BuiltInForTests();
        foreach (var scenario in ScenarioCatalogue.Scenarios)
        {
            var records = Parse(Bytes(data, Small, scenario.Name));
            Assert.True(records.Count > 0, scenario.Name);
            Assert.All(records, r => Assert.Equal(scenario.Label, r.Label));
            Assert.All(records, r => Assert.NotNull(r.Status));
            Assert.All(records, r => Assert.InRange(r.Request.Timestamp, Small.Start, Small.Start + Small.Duration + TimeSpan.FromHours(1)));
            for (var i = 1; i < records.Count; i++)
            {
                Assert.True(records[i - 1].Request.Timestamp <= records[i].Request.Timestamp, $"{scenario.Name}: line {i + 1} goes back in time");
            }
        }
    }

    [Fact]
    public void Statuses_are_what_the_demo_api_answers()
    {
        var data = SimulationData.BuiltInForTests();
        var enumeration = Parse(Bytes(data, Small, "id-enumeration"));
        Assert.All(enumeration, r =>
        {
            var id = long.Parse(r.Request.Path["/api/users/".Length..], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(id <= 1_000 ? 200 : 404, r.Status);
        });
        Assert.All(Parse(Bytes(data, Small, "honeypot-probing")), r => Assert.Equal(404, r.Status));
        Assert.All(Parse(Bytes(data, Small, "brute-force")), r => Assert.Equal(401, r.Status));
    }

    [Fact]
    public void Think_times_are_log_normal_with_a_human_median_and_spread()
    {
        var context = new ScenarioContext(new Random(42), SimulationData.BuiltInForTests(), new SimulationOptions(), "legit", []);
        var seconds = Enumerable.Range(0, 20_000).Select(_ => context.ThinkTime().TotalSeconds).Order().ToArray();
        var median = seconds[seconds.Length / 2];
        var logs = seconds.Select(s => Math.Log(s)).ToArray();
        var mean = logs.Average();
        var sigma = Math.Sqrt(logs.Select(l => (l - mean) * (l - mean)).Average());

        Assert.InRange(median, 4.5, 5.5);
        Assert.InRange(sigma, 0.85, 0.95);
        Assert.InRange(Math.Exp(mean), 4.5, 5.5); // log-normal: the geometric mean is the median
        Assert.True(seconds[(int)(seconds.Length * 0.95)] > 15, "a long right tail");
    }

    [Fact]
    public void Brute_force_targets_one_account_and_otp_bombing_one_phone()
    {
        var data = SimulationData.BuiltInForTests();
        var brute = Parse(Bytes(data, Small, "brute-force"));
        Assert.True(brute.Count > 1_000);
        Assert.Single(brute.Select(r => r.Request.Account).Distinct());
        Assert.Single(brute.Select(r => r.Request.GetBodyField("username")).Distinct());

        var otp = Parse(Bytes(data, Small, "otp-bombing"));
        Assert.True(otp.Count > 100);
        Assert.Single(otp.Select(r => r.Request.GetBodyField("phone")).Distinct());
        Assert.True(otp.Select(r => r.Request.ClientIp).Distinct().Count() > 100, "from many addresses");
    }

    [Fact]
    public void Browser_requests_carry_their_family_headers_in_client_order()
    {
        var records = Parse(Bytes(SimulationData.BuiltInForTests(), Small, "browser-users"));
        var chrome = records.First(r => r.Request.Headers["user-agent"]!.Contains("Chrome/", StringComparison.Ordinal) && r.Request.Path == "/");
        Assert.Equal("sec-ch-ua", chrome.Request.Headers.AsSpan()[0].Key);
        Assert.Equal("t13d1516h2_8daaf6152771_e5627efa2ab1", chrome.Request.Tls!.Ja4);
        var safari = records.First(r => r.Request.Headers["user-agent"]!.Contains("iPhone", StringComparison.Ordinal));
        Assert.Null(safari.Request.Headers["sec-ch-ua"]);
        Assert.Null(safari.Request.Tls); // no Safari capture in the fixtures: no fingerprint rather than a wrong one
    }

    [Fact]
    public void Missing_data_names_the_file_and_the_fetch_script()
    {
        var empty = Directory.CreateTempSubdirectory("bulwark-sim-");
        try
        {
            var error = Assert.Throws<SimulationDataMissingException>(() => SimulationData.Load(new SimulationDataPaths(empty.FullName, empty.FullName)));
            Assert.Contains("user-agents.json", error.Message, StringComparison.Ordinal);
            Assert.Contains("scripts/fetch-data.sh", error.Message, StringComparison.Ordinal);
            Assert.EndsWith("user-agents.json", error.Path, StringComparison.Ordinal);
        }
        finally
        {
            empty.Delete(recursive: true);
        }
    }

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex KebabCase();

    [GeneratedRegex("^(legit|attack):[a-z_]+$")]
    private static partial Regex LabelPattern();
}
