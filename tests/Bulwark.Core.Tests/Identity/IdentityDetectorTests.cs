using System.Net;
using Bulwark.Core.Decisions;
using Bulwark.Core.Fingerprints;
using Bulwark.Core.Identity;
using static Bulwark.Core.Tests.Engine.EngineFixture;

namespace Bulwark.Core.Tests.Identity;

/// <summary>
/// The identity detectors through the engine, with the built-in catalogue (its JA4s are real captures): what fires, with
/// which weight and explanation, and what the scores do under the 60/85 and 80/95 thresholds.
/// </summary>
public sealed class IdentityDetectorTests
{
    private const string Chrome120 = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";
    private const string Firefox121 = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0";

    private static readonly string CurlJa4 = Ja4Of("curl");
    private static readonly string PythonJa4 = Ja4Of("python-requests");
    private static readonly string ChromiumJa4 = Ja4Of("chromium");

    private static readonly (string, string)[] ChromeHeaders =
    [
        ("host", "shop.example"), ("connection", "keep-alive"), ("sec-ch-ua", "\"Not_A Brand\";v=\"8\", \"Chromium\";v=\"120\", \"Google Chrome\";v=\"120\""),
        ("sec-ch-ua-mobile", "?0"), ("sec-ch-ua-platform", "\"Linux\""), ("upgrade-insecure-requests", "1"), ("user-agent", Chrome120),
        ("accept", "text/html"), ("sec-fetch-site", "none"), ("sec-fetch-mode", "navigate"), ("sec-fetch-user", "?1"),
        ("sec-fetch-dest", "document"), ("accept-encoding", "gzip, deflate, br"), ("accept-language", "en-US,en;q=0.9"),
    ];

    private static string Ja4Of(string family) => FingerprintCatalogue.BuiltIn.Entries.First(e => e.Family == family).Ja4;

    private static BulwarkEngine Engine(string thresholds = "", string signals = "", string deny = "", CrawlerList? crawlers = null)
    {
        var options = Options($$"""
            { {{deny}} "Routes": [ { "Path": "/api/**", "Policy": "api" } ],
              "Policies": { "api": { {{thresholds}} {{signals}} } } }
            """);
        var identity = new ClientIdentity(new UserAgentParser(crawlers), FingerprintCatalogue.BuiltIn, options.Fingerprints.Deny);
        return new BulwarkEngine(options, detectors: ClientIdentityComponents.Detectors(identity));
    }

    private static RequestContext Request((string, string)[] headers, string? ja4, bool? h2 = true, bool clientOrder = true) => new()
    {
        Timestamp = T0,
        ClientIp = IPAddress.Parse("198.51.100.7"),
        Method = "GET",
        Path = "/api/products/1",
        Protocol = "HTTP/1.1",
        Headers = new HeaderList(headers.Select(h => new KeyValuePair<string, string>(h.Item1, h.Item2)).ToArray()) { InClientOrder = clientOrder },
        Tls = ja4 is null ? null : new TlsFingerprints(ja4, null) { OfferedH2 = h2 },
    };

    private static string Signals(Decision decision) => string.Join(",", decision.Reasons.Select(r => $"{r.Signal}={r.Weight}").Order());

    [Fact]
    public async Task Curl_with_a_chrome_user_agent_is_blocked_at_85_and_challenged_under_80_95()
    {
        var request = Request([("host", "shop.example"), ("user-agent", Chrome120), ("accept", "*/*")], CurlJa4);

        // The thresholds before issue 5 moved the defaults to 50/80/95, spelled out so both calibrations stay tested.
        var decision = await Engine("\"Thresholds\": { \"Delay\": 30, \"Challenge\": 60, \"Block\": 85 }").Decide(request);
        Assert.Equal("browser_headers_missing=25,ua_tls_mismatch=60", Signals(decision));
        Assert.Equal(DecisionAction.Block, decision.Action);
        Assert.Equal("User-Agent says chrome 120, TLS fingerprint says curl", decision.Reasons.Single(r => r.Signal == "ua_tls_mismatch").Detail);

        var strict = await Engine("\"Thresholds\": { \"Challenge\": 80, \"Block\": 95 }").Decide(request);
        Assert.Equal(DecisionAction.Challenge, strict.Action);
    }

    [Fact]
    public async Task Curl_to_an_address_literal_sends_no_server_name_and_is_still_known()
    {
        // Same client stack, no SNI: JA4 flips 'd' to 'i' and counts one extension fewer; both hashes are unchanged.
        var extensions = int.Parse(CurlJa4.AsSpan(6, 2), System.Globalization.CultureInfo.InvariantCulture) - 1;
        var withoutSni = CurlJa4[..3] + "i" + CurlJa4[4..6] + extensions.ToString("00", System.Globalization.CultureInfo.InvariantCulture) + CurlJa4[8..];
        Assert.Equal("curl", FingerprintCatalogue.BuiltIn.Lookup(withoutSni, null)?.Family);
        Assert.Null(FingerprintCatalogue.BuiltIn.Lookup(withoutSni[..11] + "000000000000" + withoutSni[23..], null));

        var decision = await Engine().Decide(Request([("host", "203.0.113.9"), ("user-agent", Chrome120), ("accept", "*/*")], withoutSni));
        Assert.Contains(decision.Reasons, r => r.Signal == "ua_tls_mismatch");
        Assert.NotEqual(DecisionAction.Allow, decision.Action);
    }

    [Fact]
    public void The_same_client_stack_told_to_speak_http_1_1_or_to_send_no_alpn_is_still_known()
    {
        // curl --http1.1 offers "http/1.1" alone (JA4 "h1"); curl with ALPN off sends no ALPN extension ("00", one extension
        // fewer). JA4's hashes leave ALPN out, so they are curl's.
        var count = int.Parse(CurlJa4.AsSpan(6, 2), System.Globalization.CultureInfo.InvariantCulture);
        var http11 = CurlJa4[..8] + "h1" + CurlJa4[10..];
        var noAlpn = CurlJa4[..6] + (count - 1).ToString("00", System.Globalization.CultureInfo.InvariantCulture) + "00" + CurlJa4[10..];
        Assert.Equal("curl", FingerprintCatalogue.BuiltIn.Lookup(http11, null)?.Family);
        Assert.Equal("curl", FingerprintCatalogue.BuiltIn.Lookup(noAlpn, null)?.Family);

        // Another TLS version or another extension set is another stack.
        Assert.Null(FingerprintCatalogue.BuiltIn.Lookup("t12" + CurlJa4[3..], null));
        Assert.Null(FingerprintCatalogue.BuiltIn.Lookup(CurlJa4[..^12] + "000000000000", null));
        Assert.Null(FingerprintCatalogue.BuiltIn.Lookup("q13" + CurlJa4[3..], null));
        Assert.Null(FingerprintCatalogue.BuiltIn.Lookup("not a ja4", null));
    }

    [Fact]
    public async Task Python_requests_with_a_chrome_user_agent_also_lacks_h2_and_is_blocked()
    {
        var decision = await Engine("\"Thresholds\": { \"Challenge\": 80, \"Block\": 95 }").Decide(
            Request([("host", "shop.example"), ("user-agent", Chrome120), ("accept-encoding", "gzip, deflate"), ("accept", "*/*"), ("connection", "keep-alive")], PythonJa4, h2: false));
        Assert.Equal("browser_headers_missing=25,browser_without_h2=20,ua_tls_mismatch=60", Signals(decision));
        Assert.Equal(DecisionAction.Block, decision.Action);
    }

    [Fact]
    public async Task A_library_the_catalogue_does_not_know_claiming_chrome_is_challenged_by_its_tls_traits()
    {
        // python3 urllib with a hand-made context: a real hello no catalogue entry holds, so ua_tls_mismatch cannot name it.
        const string Uncatalogued = "t13d181100_85036bcba153_d41ae481755e";
        var decision = await Engine().Decide(Request([("host", "shop.example"), ("user-agent", Chrome120), ("accept", "*/*")], Uncatalogued, h2: false));
        Assert.Equal("browser_headers_missing=25,browser_without_h2=20,ua_tls_traits_mismatch=40", Signals(decision));
        Assert.Equal(DecisionAction.Challenge, decision.Action); // 85 under the default 50/80/95

        // A real Chrome behind a TLS-intercepting proxy: the proxy's hello, every browser header: scored, not refused.
        var intercepted = await Engine().Decide(Request(ChromeHeaders, Uncatalogued));
        Assert.Equal("ua_tls_traits_mismatch=40", Signals(intercepted));
        Assert.Equal(DecisionAction.Allow, intercepted.Action);
    }

    [Fact]
    public async Task Chrome_with_chromium_tls_and_its_headers_in_its_order_raises_nothing()
    {
        var decision = await Engine().Decide(Request(ChromeHeaders, ChromiumJa4));
        Assert.Empty(decision.Reasons);
        Assert.Equal(DecisionAction.Allow, decision.Action);
    }

    [Fact]
    public async Task Honest_tools_and_unknown_fingerprints_raise_no_mismatch()
    {
        var engine = Engine();
        Assert.Empty((await engine.Decide(Request([("user-agent", "curl/7.88.1")], CurlJa4))).Reasons);
        Assert.DoesNotContain((await engine.Decide(Request(ChromeHeaders, "t13d9999h2_000000000000_000000000000"))).Reasons, r => r.Signal == "ua_tls_mismatch");
        Assert.DoesNotContain((await engine.Decide(Request(ChromeHeaders, null))).Reasons, r => r.Signal == "ua_tls_mismatch");
    }

    [Fact]
    public async Task Firefox_user_agent_on_chromium_tls_is_a_mismatch_of_engines()
    {
        var decision = await Engine().Decide(Request([("user-agent", Firefox121), ("accept-language", "en"), ("sec-fetch-mode", "navigate")], ChromiumJa4));
        Assert.Contains("(gecko), TLS fingerprint says chromium", decision.Reasons.Single(r => r.Signal == "ua_tls_mismatch").Detail, StringComparison.Ordinal);
    }

    /// <summary>Firefox's request headers in the order it sends them over HTTP/1.1 (Gecko: Accept-Language before Accept-Encoding, no client hints).</summary>
    private static readonly (string, string)[] FirefoxHeaders =
    [
        ("host", "shop.example"), ("user-agent", Firefox121), ("accept", "text/html"), ("accept-language", "en-US,en;q=0.5"),
        ("accept-encoding", "gzip, deflate, br, zstd"), ("connection", "keep-alive"), ("upgrade-insecure-requests", "1"),
        ("sec-fetch-dest", "document"), ("sec-fetch-mode", "navigate"), ("sec-fetch-site", "none"), ("sec-fetch-user", "?1"), ("priority", "u=0, i"),
    ];

    [Theory]
    [InlineData("chromium", "browser")]
    [InlineData("firefox", "browser")]
    [InlineData("curl", "tool")]
    [InlineData("wget", "tool")]
    [InlineData("python-requests", "library")]
    [InlineData("python-urllib", "library")]
    [InlineData("go-http", "library")]
    [InlineData("node", "library")]
    [InlineData("java", "library")]
    [InlineData("dotnet", "library")]
    public void The_built_in_catalogue_has_a_dated_capture_of(string family, string kind)
    {
        var entries = FingerprintCatalogue.BuiltIn.Entries.Where(e => e.Family == family).ToList();
        Assert.NotEmpty(entries);
        foreach (var entry in entries)
        {
            Assert.Equal(kind, entry.Kind);
            Assert.False(string.IsNullOrWhiteSpace(entry.Client), $"{entry.Ja4}: no client version");
            Assert.True(DateOnly.TryParseExact(entry.Captured, "yyyy-MM-dd", out _), $"{entry.Ja4}: captured '{entry.Captured}' is not a date");
            Assert.Equal(family, FingerprintCatalogue.BuiltIn.Lookup(entry.Ja4, null)?.Family);
        }
    }

    [Fact]
    public void Every_catalogued_ja4_names_one_family()
    {
        var clashes = FingerprintCatalogue.BuiltIn.Entries.GroupBy(e => e.Ja4).Where(g => g.Select(e => e.Family).Distinct().Count() > 1).Select(g => g.Key);
        Assert.Empty(clashes);
    }

    [Fact]
    public async Task Firefox_with_firefox_tls_and_its_headers_in_its_order_raises_nothing()
    {
        var decision = await Engine().Decide(Request(FirefoxHeaders, Ja4Of("firefox")));
        Assert.Empty(decision.Reasons);
        Assert.Equal(DecisionAction.Allow, decision.Action);
    }

    [Fact]
    public async Task Chrome_user_agent_on_firefox_tls_is_a_mismatch_of_engines()
    {
        var decision = await Engine().Decide(Request(ChromeHeaders, Ja4Of("firefox")));
        Assert.Equal("User-Agent says chrome 120 (chromium), TLS fingerprint says firefox", decision.Reasons.Single(r => r.Signal == "ua_tls_mismatch").Detail);
    }

    [Theory]
    [InlineData("curl")]
    [InlineData("wget")]
    [InlineData("python-requests")]
    [InlineData("python-urllib")]
    [InlineData("go-http")]
    [InlineData("node")]
    [InlineData("java")]
    [InlineData("dotnet")]
    public async Task A_library_or_tool_in_a_firefox_user_agent_is_a_mismatch(string family)
    {
        // Even with every header Firefox sends, in Firefox's order: the handshake gives it away.
        var decision = await Engine().Decide(Request(FirefoxHeaders, Ja4Of(family)));
        Assert.Equal($"User-Agent says firefox 121, TLS fingerprint says {family}", decision.Reasons.Single(r => r.Signal == "ua_tls_mismatch").Detail);
        Assert.NotEqual(DecisionAction.Allow, decision.Action);
    }

    [Fact]
    public async Task Client_hints_of_another_version_contradict_the_user_agent()
    {
        var headers = ChromeHeaders.Select(h => h.Item1 == "sec-ch-ua" ? (h.Item1, "\"Chromium\";v=\"119\", \"Google Chrome\";v=\"119\"") : h).ToArray();
        var decision = await Engine().Decide(Request(headers, ChromiumJa4));
        Assert.Equal("client_hints_mismatch=30", Signals(decision));
        Assert.Equal("User-Agent says Chrome/120, sec-ch-ua says Chromium 119", decision.Reasons[0].Detail);
    }

    [Fact]
    public async Task Header_order_counts_only_when_it_is_the_clients()
    {
        var reordered = ChromeHeaders.Where(h => h.Item1 != "accept-encoding").Append(("accept-encoding", "gzip, deflate, br")).ToArray();
        Assert.Equal("header_order_mismatch=20", Signals(await Engine().Decide(Request(reordered, ChromiumJa4))));
        Assert.Empty((await Engine().Decide(Request(reordered, ChromiumJa4, clientOrder: false))).Reasons);
    }

    [Fact]
    public async Task Chromium_fetch_order_with_user_agent_before_sec_ch_ua_is_no_mismatch()
    {
        // A fetch() from Debian's Chromium 156 over HTTP/1.1, in the order it sent them.
        (string, string)[] fetch =
        [
            ("host", "shop.example"), ("connection", "keep-alive"), ("sec-ch-ua-platform", "\"Linux\""), ("user-agent", Chrome120),
            ("accept", "application/json"), ("sec-ch-ua", "\"Not_A Brand\";v=\"8\", \"Chromium\";v=\"120\", \"Google Chrome\";v=\"120\""),
            ("sec-ch-ua-mobile", "?0"), ("sec-fetch-site", "same-origin"), ("sec-fetch-mode", "cors"), ("sec-fetch-dest", "empty"),
            ("referer", "https://shop.example/"), ("accept-encoding", "gzip, deflate, br"), ("accept-language", "en-US,en;q=0.9"),
        ];
        Assert.Empty((await Engine().Decide(Request(fetch, ChromiumJa4))).Reasons);
    }

    [Fact]
    public async Task Missing_h2_counts_only_when_the_hello_was_seen()
    {
        Assert.Equal("browser_without_h2=20", Signals(await Engine().Decide(Request(ChromeHeaders, ChromiumJa4, h2: false))));
        Assert.Empty((await Engine().Decide(Request(ChromeHeaders, ChromiumJa4, h2: null))).Reasons);
    }

    [Fact]
    public async Task Declared_bots_and_denied_fingerprints_are_signalled_and_weights_follow_the_policy()
    {
        var bots = CrawlerList.FromPatterns(["Googlebot\\/", "bingbot", "okhttp"], libraries: ["okhttp"]);
        var googlebot = Request([("user-agent", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)")], null);
        Assert.Equal("declared_bot=10", Signals(await Engine(crawlers: bots).Decide(googlebot)));
        Assert.Empty((await Engine(crawlers: bots).Decide(Request([("user-agent", "okhttp/4.12.0")], null))).Reasons); // an Android app's HTTP stack
        Assert.Equal("declared_bot=70", Signals(await Engine(signals: "\"Signals\": { \"declared_bot\": 70 }", crawlers: bots).Decide(googlebot)));

        var denied = await Engine(deny: $"\"Fingerprints\": {{ \"Deny\": [\"{CurlJa4}\"] }},").Decide(Request([("user-agent", "curl/7.88.1")], CurlJa4));
        Assert.Equal("fingerprint_denied=100", Signals(denied));
        Assert.Equal(DecisionAction.Block, denied.Action);

        var off = await Engine(signals: "\"Signals\": { \"ua_tls_mismatch\": 0 }").Decide(Request([("user-agent", Chrome120)], CurlJa4));
        Assert.DoesNotContain(off.Reasons, r => r.Signal == "ua_tls_mismatch");
    }

    [Fact]
    public void Header_fingerprint_hashes_method_version_flags_language_and_names_in_order()
    {
        var request = Request([("host", "a"), ("user-agent", "x"), ("cookie", "s=1"), ("accept-language", "de-DE,de;q=0.9"), ("accept", "*/*")], null);
        Assert.Equal("GET|1.1|c|-|de-de|host,user-agent,accept-language,accept", HeaderFingerprint.ComputeText(request));
        var fingerprint = HeaderFingerprint.Compute(request);
        Assert.Matches("^bh1_[0-9a-f]{16}$", fingerprint);

        var swapped = Request([("user-agent", "x"), ("host", "a"), ("cookie", "s=1"), ("accept-language", "de-DE,de;q=0.9"), ("accept", "*/*")], null);
        Assert.NotEqual(fingerprint, HeaderFingerprint.Compute(swapped));
        Assert.EndsWith("_s", HeaderFingerprint.Compute(Request([("host", "a")], null, clientOrder: false)), StringComparison.Ordinal);
    }
}
