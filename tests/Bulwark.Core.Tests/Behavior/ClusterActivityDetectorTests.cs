using System.Globalization;
using System.Net;
using Bulwark.Core.Behavior;
using Bulwark.Core.Decisions;
using Bulwark.Core.Identity;
using Bulwark.Core.Lists;
using Bulwark.Core.Policy;
using Bulwark.Core.Tests.Data;
using Xunit.Abstractions;
using static Bulwark.Core.Tests.Behavior.BehaviorKit;

namespace Bulwark.Core.Tests.Behavior;

/// <summary>
/// <c>cluster_churn</c> and <c>cluster_ceiling</c> through the default policy (samples/bulwark.json) with the identity
/// detectors, as <c>bulwark replay</c> and the gateway run them: attacks present from the first request (no baseline) are
/// caught; crowds of people in shared browser clusters — one-request visitors without cookies, carrier-grade NAT, IPv6
/// phones fetching an app's configuration — are not.
/// </summary>
public sealed class ClusterActivityDetectorTests(ITestOutputHelper output)
{
    /// <summary>A TLS 1.2 hello offering h2 from the JA4 fixtures (a library or an old stack, not a current browser).</summary>
    private const string Tls12Ja4 = "t12d1909h2_d83cc789557e_7af1ed941c26";

    /// <summary>okhttp's User-Agent, as an Android app sends it.</summary>
    private const string OkHttp = "okhttp/4.12.0";

    private static BulwarkEngine SampleEngine()
    {
        var loaded = BulwarkConfigLoader.LoadFile(Path.Combine(TestData.RepositoryRoot, "samples", "bulwark.json"), includeEnvironment: false);
        Assert.True(loaded.Options is not null, string.Join("\n", loaded.Errors));
        var options = loaded.Options!;
        var bans = new BanList();
        var identity = ClientIdentity.Create(options.Fingerprints);
        return new BulwarkEngine(options,
            detectors: BulwarkEngine.DefaultDetectors().Concat(ClientIdentityComponents.Detectors(identity)).Concat(BehaviorComponents.Detectors(options, bans)),
            bans: bans);
    }

    private static bool Refused(Decision decision) => decision.Action is DecisionAction.Challenge or DecisionAction.Block;

    private static bool ClusterSignal(Decision decision) => Has(decision, BehaviorSignals.ClusterChurn) || Has(decision, BehaviorSignals.ClusterCeiling);

    private static RequestContext Proxied(string path, string ip, DateTimeOffset at, string ja4, string userAgent) => new()
    {
        Timestamp = at,
        ClientIp = IPAddress.Parse(ip),
        Method = "GET",
        Path = path,
        Headers = PythonRequestsHeaders(userAgent),
        Tls = new TlsFingerprints(ja4, null),
    };

    private static readonly UserAgentParser Parser = new();

    /// <summary>A person's request: Chromium's, Firefox's or Safari's headers and JA4 by the User-Agent's engine (Safari: no capture, no JA4).</summary>
    private static RequestContext Person(string path, string ip, DateTimeOffset at, string agent, string? session)
    {
        var engine = Parser.Parse(agent).Engine;
        var headers = engine switch
        {
            "chromium" or "gecko" => BrowserHeaders(agent),
            _ => HeaderList.From(("host", "shop.example"), ("accept", "application/json"), ("sec-fetch-site", "same-origin"), ("accept-language", "en-US,en;q=0.9"),
                ("sec-fetch-mode", "cors"), ("user-agent", agent), ("referer", "https://shop.example/"), ("sec-fetch-dest", "empty"), ("accept-encoding", "gzip, deflate, br")),
        };
        return new RequestContext
        {
            Timestamp = at, ClientIp = IPAddress.Parse(ip), Method = "GET", Path = path, Headers = headers, Session = session,
            Tls = engine switch { "chromium" => new TlsFingerprints(ChromeJa4, null), "gecko" => new TlsFingerprints(FirefoxJa4, null), _ => null },
        };
    }

    private static string ResidentialIp(int n) => string.Create(CultureInfo.InvariantCulture, $"{24 + (n % 3 * 49)}.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}");

    [DataFact(UserAgentsFile, Ja4File)]
    public void A_residential_proxy_scrape_present_from_the_first_request_is_caught_without_a_baseline()
    {
        AssertFixtureHolds(LibraryJa4);
        var engine = SampleEngine();
        var random = new Random(7);
        var agents = Agents;
        const int requests = 20_000;
        long mitigated = 0, after = 0, churn = 0;
        var first = -1;
        for (var i = 0; i < requests; i++)
        {
            // One request from each address, 30 a second, product ids in order, a User-Agent drawn afresh every time.
            var at = Start.AddSeconds(i / 30.0);
            var decision = Run(engine, Proxied($"/api/products/{1000 + i}", ResidentialIp(i), at, LibraryJa4, agents[random.Next(agents.Length)]));
            churn += Has(decision, BehaviorSignals.ClusterChurn) ? 1 : 0;
            if (Refused(decision) && first < 0)
            {
                first = i;
            }

            if (i >= 1_800)
            {
                after++;
                mitigated += Refused(decision) ? 1 : 0;
            }
        }

        var share = (double)mitigated / after;
        output.WriteLine($"scrape alone: first refused #{first}; after the first minute (1,800): {mitigated:N0} of {after:N0} refused = {share:P2}; cluster_churn on {churn:N0}");
        Assert.True(share >= 0.99, $"only {share:P2} refused after the first minute");
        Assert.InRange(first, 1, 1_800);
    }

    [DataFact(UserAgentsFile, Ja4File)]
    public void Crowds_of_people_in_shared_browser_clusters_are_not_flagged_and_the_scrape_among_them_is()
    {
        AssertFixtureHolds(LibraryJa4);
        var engine = SampleEngine();
        var random = new Random(11);
        var agents = Agents;
        var events = new PriorityQueue<Visitor, long>();
        var end = Start.AddMinutes(20);
        var attackStart = Start.AddMinutes(10);
        long people = 0, peopleRefused = 0, peopleDelayed = 0, peopleClusterSignals = 0, stateless = 0;
        long appRequests = 0, appFlagged = 0, attack = 0, attackRefused = 0;
        var signals = new Dictionary<string, int>();
        string? firstClusterSignal = null;
        var nextVisitor = Start;
        var nextApp = Start;
        var nextAttack = attackStart;
        var visitors = 0;
        var apps = 0;
        var attackSent = 0;
        while (true)
        {
            var visitorAt = events.TryPeek(out _, out var ticks) ? ticks : long.MaxValue;
            var next = Math.Min(Math.Min(visitorAt, nextVisitor.UtcTicks), Math.Min(nextApp.UtcTicks, nextAttack.UtcTicks));
            if (next >= end.UtcTicks)
            {
                break;
            }

            if (next == nextVisitor.UtcTicks)
            {
                // 40 visitors a second. 60 % leave after one request (a landing page), the rest browse on with the cookie the
                // first answer set. A third share 1,000 carrier-grade NAT addresses; 3 % run an extension that strips
                // Accept-Language (so their requests carry browser_headers_missing).
                var id = visitors++;
                var ip = random.NextDouble() < 0.33 ? $"100.64.{random.Next(4)}.{random.Next(250)}" : $"10.{(id >> 16) & 255}.{(id >> 8) & 255}.{id & 255}";
                var pages = random.NextDouble() < 0.6 ? 1 : 2 + (int)(-Math.Log(1 - random.NextDouble()) * 8);
                events.Enqueue(new Visitor(id, agents[random.Next(agents.Length)], ip, pages, random.NextDouble() < 0.03), nextVisitor.UtcTicks);
                nextVisitor = nextVisitor.AddSeconds(-Math.Log(1 - random.NextDouble()) / 40);
                continue;
            }

            if (next == visitorAt)
            {
                var visitor = events.Dequeue();
                var at = new DateTimeOffset(visitorAt, TimeSpan.Zero);
                var path = random.NextDouble() < 0.5 ? "/api/search" : $"/api/products/{random.Next(1, 50_000)}";
                var request = Person(path, visitor.Ip, at, visitor.Agent, visitor.Seen ? "s" + visitor.Id : null);
                if (visitor.StripsLanguage)
                {
                    request = new RequestContext
                    {
                        Timestamp = request.Timestamp, ClientIp = request.ClientIp, Method = request.Method, Path = request.Path, Tls = request.Tls,
                        Session = request.Session,
                        Headers = HeaderList.From(request.Headers.AsSpan().ToArray().Where(h => h.Key != "accept-language").Select(h => (h.Key, h.Value)).ToArray()),
                    };
                }

                stateless += visitor.Seen ? 0 : 1;
                var decision = Run(engine, request);
                people++;
                peopleRefused += Refused(decision) ? 1 : 0;
                peopleDelayed += decision.Action == DecisionAction.Delay ? 1 : 0;
                if (ClusterSignal(decision))
                {
                    peopleClusterSignals++;
                    firstClusterSignal ??= $"{visitor.Agent} strips={visitor.StripsLanguage} seen={visitor.Seen}: " + string.Join("; ", decision.Reasons.Select(r => $"{r.Signal}: {r.Detail}"));
                }

                if (decision.Action != DecisionAction.Allow)
                {
                    foreach (var reason in decision.Reasons)
                    {
                        signals[reason.Signal] = signals.GetValueOrDefault(reason.Signal) + 1;
                    }
                }

                visitor.Seen = true;
                if (--visitor.PagesLeft > 0)
                {
                    events.Enqueue(visitor, at.AddSeconds(ThinkSeconds(random, medianSeconds: 5)).UtcTicks);
                }

                continue;
            }

            if (next == nextApp.UtcTicks)
            {
                // An Android app's launch: one configuration fetch from each phone's own IPv6 /64, no cookie, 15 a second.
                var n = apps++;
                var ip = string.Create(CultureInfo.InvariantCulture, $"2001:db8:{(n >> 16) & 0xffff:x}:{n & 0xffff:x}::1");
                var decision = Run(engine, Proxied("/api/search", ip, nextApp, LibraryJa4, OkHttp));
                appRequests++;
                appFlagged += ClusterSignal(decision) || Refused(decision) ? 1 : 0;
                nextApp = nextApp.AddSeconds(-Math.Log(1 - random.NextDouble()) / 15);
                continue;
            }

            var scrape = Run(engine, Proxied($"/api/products/{5000 + attackSent}", ResidentialIp(attackSent), nextAttack, LibraryJa4, agents[random.Next(agents.Length)]));
            if (attackSent++ >= 1_800)
            {
                attack++;
                attackRefused += Refused(scrape) ? 1 : 0;
            }

            nextAttack = nextAttack.AddSeconds(1 / 30.0);
        }

        var peopleShare = (double)peopleRefused / people;
        var attackShare = (double)attackRefused / attack;
        output.WriteLine($"people: {visitors:N0} visitors, {people:N0} requests ({stateless:N0} without a cookie); refused {peopleRefused} = {peopleShare:P3}, delayed {peopleDelayed}; cluster signals {peopleClusterSignals}; signals on mitigated: {string.Join(", ", signals.Select(p => $"{p.Key}={p.Value}"))}");
        output.WriteLine($"first cluster signal on a person: {firstClusterSignal ?? "none"}");
        output.WriteLine($"app launches: {appRequests:N0} from distinct /64s, flagged or refused {appFlagged}");
        output.WriteLine($"scrape among them: after its first minute, {attackRefused:N0} of {attack:N0} refused = {attackShare:P2}");
        Assert.True(people > 100_000, $"only {people} requests by people");
        Assert.True(stateless > 20_000, $"only {stateless} cookie-less requests by people");
        Assert.Equal(0, peopleClusterSignals);
        Assert.True(peopleShare <= 0.001, $"{peopleShare:P3} of people refused");
        Assert.Equal(0, appFlagged);
        Assert.True(attackShare >= 0.99, $"only {attackShare:P2} of the scrape refused");
    }

    [DataFact(UserAgentsFile, Ja4File)]
    public void A_stateless_flood_whose_tls_contradicts_its_browser_hits_the_ceiling_however_few_requests_each_address_sends()
    {
        AssertFixtureHolds(Tls12Ja4);
        var engine = SampleEngine();
        var random = new Random(3);
        // Current Chrome User-Agents (major 100 and up) from the npm list: what a flood tool rotates through.
        var chrome = ChromeAgents.Where(a => Parser.Parse(a).Major >= 100).ToArray();
        Assert.True(chrome.Length > 50, $"only {chrome.Length} current Chrome User-Agents");
        long after = 0, refused = 0, ceiling = 0, churn = 0;
        for (var i = 0; i < 12_000; i++)
        {
            // 400 bots, 100 requests a second in all: each address sends one every 4 s — far under any per-address limit, and
            // 30 per address in two minutes, so not the churn pattern either.
            var at = Start.AddSeconds(i / 100.0);
            var bot = i % 400;
            var decision = Run(engine, Proxied("/api/search", $"203.0.{bot / 200}.{bot % 200}", at, Tls12Ja4, chrome[random.Next(chrome.Length)]));
            ceiling += Has(decision, BehaviorSignals.ClusterCeiling) ? 1 : 0;
            if (i == 5_000)
            {
                output.WriteLine("request #5000: " + string.Join("; ", decision.Reasons.Select(r => $"{r.Signal}={r.Weight}: {r.Detail}")));
            }

            churn += Has(decision, BehaviorSignals.ClusterChurn) ? 1 : 0;
            if (at >= Start.AddSeconds(10))
            {
                after++;
                refused += Refused(decision) ? 1 : 0;
            }
        }

        var share = (double)refused / after;
        output.WriteLine($"flood: after 10 s {refused:N0} of {after:N0} refused = {share:P2}; cluster_ceiling on {ceiling:N0}, cluster_churn on {churn:N0}");
        Assert.True(share >= 0.99, $"only {share:P2} refused");
        Assert.Equal(0, churn);
    }

    [Fact]
    public void Memory_is_fixed_under_a_million_distinct_fingerprint_groups_and_the_heavy_group_keeps_its_slot()
    {
        var state = new BehaviorState(new BehaviorOptions(), 64, new BanList());
        var detector = new ClusterActivityDetector(state);
        var bytes = detector.Bytes;
        var heavy = 0xABCDEFUL;
        ClusterActivityDetector.Finding last = default;
        var start = Start.UtcTicks;
        for (var i = 0; i < 1_000_000; i++)
        {
            var now = start + (i * TimeSpan.TicksPerMillisecond / 2);
            detector.Count(0x1000_0000UL + (ulong)i, (ulong)i * 7919, now, stateless: true, tlsEvidence: false);
            if (i % 4 == 0)
            {
                last = detector.Count(heavy, (ulong)i * 104729, now, stateless: true, tlsEvidence: false);
            }
        }

        Assert.Equal(bytes, detector.Bytes);
        Assert.True(detector.Bytes < 64 * 400, $"{detector.Bytes} bytes for 64 slots");
        Assert.True(last.Churn, $"the heavy group: {last}");
        Assert.InRange(last.Addresses / last.Requests, 0.8, 1.2);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(300)]
    [InlineData(10_000)]
    [InlineData(1_000_000)]
    public void HyperLogLog_estimates_distinct_addresses_within_a_quarter(int distinct)
    {
        var registers = new byte[HyperLogLog128.Registers];
        var empty = new byte[HyperLogLog128.Registers];
        for (var i = 0; i < distinct; i++)
        {
            HyperLogLog128.Add(registers, (ulong)i);
            HyperLogLog128.Add(registers, (ulong)i); // repeats do not count
        }

        var estimate = HyperLogLog128.EstimateUnion(registers, empty);
        Assert.InRange(estimate / distinct, 0.75, 1.25);
    }

    [Fact]
    public void Configuration_is_read_and_bad_values_name_their_path()
    {
        var loaded = BulwarkConfigLoader.LoadJson("""
            { "Bulwark": { "Behavior": { "Clusters": { "Enabled": false, "WindowSeconds": 30, "TrackedClusters": 16, "MinRequests": 50, "MinRatePerSecond": 2,
                "MaxRequestsPerAddress": 3, "MinStatelessShare": 0.8, "CeilingPerSecond": 0, "CeilingWindowSeconds": 5, "MinEvidenceShare": 0.7,
                "HoldSeconds": 60, "EvidenceSignals": [ "ua_tls_mismatch" ], "TlsEvidenceSignals": [ ] } },
              "Routes": [ { "Path": "/**", "Policy": "p" } ], "Policies": { "p": { } } } }
            """);
        Assert.True(loaded.Options is not null, string.Join("\n", loaded.Errors));
        var c = loaded.Options!.Behavior.Clusters;
        Assert.False(c.Enabled);
        Assert.Equal((30, 16, 50, 2.0, 3.0, 0.8, 0.0, 5, 0.7, 60), (c.WindowSeconds, c.TrackedClusters, c.MinRequests, c.MinRatePerSecond, c.MaxRequestsPerAddress,
            c.MinStatelessShare, c.CeilingPerSecond, c.CeilingWindowSeconds, c.MinEvidenceShare, c.HoldSeconds));
        Assert.Equal(["ua_tls_mismatch"], c.EvidenceSignals);
        Assert.Empty(c.TlsEvidenceSignals);

        var bad = BulwarkConfigLoader.LoadJson("""
            { "Bulwark": { "Behavior": { "Clusters": { "MaxRequestsPerAddress": 0.5, "MinStatelessShare": 2, "EvidenceSignals": [ "UA TLS" ], "HoldSecs": 5 } },
              "Routes": [ { "Path": "/**", "Policy": "p" } ], "Policies": { "p": { } } } }
            """);
        Assert.Null(bad.Options);
        output.WriteLine(string.Join("\n", bad.Errors));
        var paths = bad.Errors.Select(e => e.Path).ToArray();
        Assert.Contains("$.Bulwark.Behavior.Clusters.MaxRequestsPerAddress", paths);
        Assert.Contains("$.Bulwark.Behavior.Clusters.MinStatelessShare", paths);
        Assert.Contains("$.Bulwark.Behavior.Clusters.EvidenceSignals[0]", paths);
        Assert.Contains(bad.Errors, e => e.Path == "$.Bulwark.Behavior.Clusters.HoldSecs" && e.Hint.Contains("HoldSeconds", StringComparison.Ordinal));
    }

    [Fact]
    public void The_default_engine_runs_the_cluster_activity_detector()
    {
        var options = BulwarkConfigLoader.LoadJson("""{ "Bulwark": { "Routes": [ { "Path": "/**", "Policy": "p" } ], "Policies": { "p": { } } } }""").Options!;
        Assert.Single(new BulwarkEngine(options).Detectors, d => d is ClusterActivityDetector);
    }

    private static void AssertFixtureHolds(string ja4) =>
        Assert.Contains(ja4, File.ReadAllText(DataFactAttribute.Resolve(Ja4File)), StringComparison.Ordinal);

    private sealed class Visitor(int id, string agent, string ip, int pages, bool stripsLanguage)
    {
        public int Id { get; } = id;

        public string Agent { get; } = agent;

        public string Ip { get; } = ip;

        public bool StripsLanguage { get; } = stripsLanguage;

        public int PagesLeft { get; set; } = pages;

        public bool Seen { get; set; }
    }
}
