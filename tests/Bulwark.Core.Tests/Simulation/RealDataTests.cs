using System.Text;
using Bulwark.Core.Policy;
using Bulwark.Core.Replay;
using Bulwark.Core.Simulation;
using Bulwark.Core.Tests.Data;

namespace Bulwark.Core.Tests.Simulation;

[Collection(SimulationCollection.Name)]
public class RealDataTests
{
    private const string UserAgents = "npm:user-agents:dist/user-agents.json";
    private const string Asn = "npm:@ip-location-db/asn:asn-ipv4.csv";
    private const string Crawlers = "npm:crawler-user-agents:crawler-user-agents.json";
    private const string Countries = "npm:@ip-location-db/asn-country:asn-country-ipv4.csv";
    private const string Datacenter = "shared:ipintel/x4bnet-datacenter-ipv4.txt";
    private const string Ja4 = "shared:ja4/clienthellos.jsonl";

    private static readonly Lazy<SimulationData> Data = new(() => SimulationData.Load(
        new SimulationDataPaths(TestData.CacheDirectory, Path.GetDirectoryName(Path.GetDirectoryName(TestData.SharedFile("ja4/clienthellos.jsonl")))!)));

    [DataFact(UserAgents, Asn, Crawlers, Countries, Datacenter, Ja4)]
    public void The_real_sources_load_into_plausible_pools_and_catalogues()
    {
        var data = Data.Value;
        Assert.True(data.Browsers.Items.Count > 9_000);
        Assert.True(data.Residential.AddressCount > 100_000_000, $"residential: {data.Residential.AddressCount:N0}");
        Assert.True(data.Mobile.AddressCount > 1_000_000, $"mobile: {data.Mobile.AddressCount:N0}");
        Assert.True(data.Hosting.RangeCount > 1_000);
        Assert.True(data.Vpn.RangeCount > 100);
        Assert.True(data.Tor.RangeCount > 500);
        Assert.Contains(data.Fingerprints.Chromium, f => f.Ja4 == "t13d1516h2_8daaf6152771_e5627efa2ab1");
        Assert.Contains(data.Fingerprints.Firefox, f => f.Ja4 == "t13d1715h2_5b57614c22b0_3d5424432f57");
        Assert.Contains(data.Fingerprints.Library, f => f.Ja4 == "t13d151400_8daaf6152771_de4a06bb82e3");
        Assert.All(data.CrawlerUserAgents, ua => Assert.Contains("Googlebot", ua, StringComparison.Ordinal));
        Assert.StartsWith("66.249.", data.SearchCrawler.Next(new Random(1)), StringComparison.Ordinal);
    }

    [DataFact(UserAgents, Asn, Crawlers, Countries, Datacenter, Ja4)]
    public void The_residential_proxy_scraper_uses_distinct_addresses_and_rotates_user_agents()
    {
        var requests = new Simulator(Data.Value, new SimulationOptions { ProxyAddresses = 100_000 }).Generate(ScenarioCatalogue.Select("residential-proxy-scrape")!);
        Assert.Equal(100_000, requests.Count);
        var distinct = requests.Select(r => r.Ip).Distinct().Count();
        Assert.True(distinct >= 99_000, $"{distinct:N0} distinct addresses of 100,000");
        Assert.Single(requests.Select(r => r.Tls!.Ja4).Distinct());
        Assert.False(FingerprintCatalogue.IsBrowserJa4(requests[0].Tls!.Ja4));
        Assert.True(requests.Select(r => r.Headers[0].Value).Distinct().Count() > 500, "rotating User-Agents (the list holds about 950 distinct strings)");
    }

    [DataFact(UserAgents, Asn, Crawlers, Countries, Datacenter, Ja4)]
    public void The_stolen_key_comes_from_new_networks_in_other_countries_than_the_partner()
    {
        var data = Data.Value;
        var requests = new Simulator(data, new SimulationOptions()).Generate([.. ScenarioCatalogue.Select("partner-integration")!, .. ScenarioCatalogue.Select("stolen-api-key")!]);
        var partner = requests.Where(r => r.Label == "legit:partner").ToList();
        var stolen = requests.Where(r => r.Label == "attack:stolen_api_key").ToList();
        Assert.Single(partner.Select(r => r.Ip).Distinct());
        Assert.Equal(PartnerCountry, data.Countries.Country(partner[0].Ip));
        Assert.All(stolen, r => Assert.Equal(partner[0].ApiKey, r.ApiKey));
        Assert.DoesNotContain(partner[0].Ip, stolen.Select(r => r.Ip));
        var countries = stolen.Select(r => data.Countries.Country(r.Ip)).Distinct().ToList();
        Assert.DoesNotContain(PartnerCountry, countries);
        Assert.True(countries.Count >= 5, $"{countries.Count} countries");
    }

    private const string PartnerCountry = "US";

    [DataFact(UserAgents, Asn, Crawlers, Countries, Datacenter, Ja4)]
    public void Every_scenario_on_real_data_parses_back()
    {
        var requests = new Simulator(Data.Value, new SimulationOptions { ProxyAddresses = 5_000, FloodAddresses = 5_000 }).Generate(ScenarioCatalogue.Scenarios);
        using var stream = new MemoryStream();
        RequestRecordWriter.Write(stream, requests);
        var parser = new RequestRecordParser(new IdentityOptions());
        var lines = Encoding.UTF8.GetString(stream.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(requests.Count, lines.Length);
        for (var i = 0; i < lines.Length; i++)
        {
            Assert.True(parser.TryParse(Encoding.UTF8.GetBytes(lines[i]), i + 1, out var record, out var error), $"line {i + 1}: {error}");
            Assert.Equal(requests[i].Label, record.Label);
        }

        Assert.Equal(ScenarioCatalogue.Scenarios.Select(s => s.Label).Order(), requests.Select(r => r.Label).Distinct().Order());
    }
}
