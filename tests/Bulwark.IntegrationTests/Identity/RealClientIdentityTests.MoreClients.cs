using Bulwark.Core.Decisions;
using Bulwark.Core.Fingerprints;
using Bulwark.Core.Identity;

namespace Bulwark.IntegrationTests.Identity;

/// <summary>
/// Go net/http, Java's HttpClient, Python's urllib, wget and Firefox ESR, captured like the first five clients (two
/// connections each, from two processes). Each has its own test, so each skips on its own when its program is missing.
/// </summary>
public sealed partial class RealClientIdentityTests
{
    /// <summary>What each of these clients is, as the catalogue must say.</summary>
    public static readonly IReadOnlyDictionary<string, (string Family, string Kind)> ExpectedMore = new Dictionary<string, (string, string)>
    {
        ["go-http"] = ("go-http", "library"),
        ["java"] = ("java", "library"),
        ["python-urllib"] = ("python-urllib", "library"),
        ["wget"] = ("wget", "tool"),
        ["firefox"] = ("firefox", "browser"),
    };

    private static readonly string[] MismatchSignals = ["ua_tls_mismatch", "client_hints_mismatch", "header_order_mismatch", "browser_without_h2", "browser_headers_missing"];

    [ToolFact("go")]
    public void Go_net_http_has_one_stable_ja4_named_go_http_and_is_refused_in_a_chrome_user_agent() =>
        AssertCataloguedAndRefusedAsChrome("go-http");

    [ToolFact("java")]
    public void Java_http_client_has_one_stable_ja4_named_java_and_is_refused_in_a_chrome_user_agent() =>
        AssertCataloguedAndRefusedAsChrome("java");

    [ToolFact("python3")]
    public void Python_urllib_has_its_own_stable_ja4_and_is_refused_in_a_chrome_user_agent()
    {
        AssertCataloguedAndRefusedAsChrome("python-urllib");

        // Same interpreter and OpenSSL as python-requests, another hello: urllib3 builds its own SSLContext.
        var requests = captures.ByClient["python-requests"].Select(s => s.Request.Tls?.Ja4).FirstOrDefault();
        Assert.NotEqual(requests, captures.ByClient["python-urllib"][0].Request.Tls?.Ja4);
    }

    [ToolFact("python3")]
    public void A_script_with_chromium_cipher_suites_and_a_chrome_user_agent_is_told_apart_by_its_missing_grease()
    {
        var exchanges = captures.ByClient["python-chromium-ciphers"];
        Assert.Equal(2, exchanges.Count);
        foreach (var (request, decision) in exchanges)
        {
            var tls = request.Tls!;
            Assert.False(tls.Grease);
            Assert.Null(FingerprintCatalogue.BuiltIn.Lookup(tls.Ja4, tls.Ja3));
            var traits = Assert.Single(decision.Reasons, r => r.Signal == UaTlsTraitsDetector.Signal);
            Assert.StartsWith($"User-Agent says chrome 120, but the TLS hello (JA4 {tls.Ja4}, not catalogued) is not Chromium's: ", traits.Detail, StringComparison.Ordinal);
            Assert.EndsWith("no GREASE" + (tls.Ja4![11..23] == UaTlsTraitsDetector.ChromiumCipherHash ? " values, which Chromium puts in every hello" : ""), traits.Detail, StringComparison.Ordinal);
            Assert.NotEqual(DecisionAction.Allow, decision.Action);
        }

        // Chromium itself: GREASE in every hello, and nothing for this detector to say.
        foreach (var (request, decision) in captures.ByClient["chromium"])
        {
            Assert.True(request.Tls!.Grease);
            Assert.DoesNotContain(decision.Reasons, r => r.Signal == UaTlsTraitsDetector.Signal);
        }
    }

    [ToolFact("wget")]
    public void Wget_has_one_stable_ja4_named_wget_and_is_refused_in_a_chrome_user_agent() =>
        AssertCataloguedAndRefusedAsChrome("wget");

    [ToolFact(FirefoxMarionette.Program)]
    public void Firefox_has_one_stable_ja4_named_firefox_and_its_own_user_agent_raises_no_identity_signal()
    {
        AssertStableAndCatalogued("firefox");
        var seen = captures.ByClient.GetValueOrDefault("firefox") ?? [];
        var ja3s = seen.Select(s => s.Request.Tls!.Ja3).Distinct().ToList();
        output.WriteLine($"firefox JA4 {seen[0].Request.Tls!.Ja4}, {ja3s.Count} distinct JA3 over {seen.Count} connections: {string.Join(", ", ja3s)}");
        foreach (var (request, decision) in seen)
        {
            output.WriteLine($"firefox {request.Protocol}: {Describe(decision)}; headers {string.Join(",", request.Headers.AsSpan().ToArray().Select(h => h.Key))}");
            Assert.Equal(captures.FirefoxOwnUserAgent, request.Headers["user-agent"]);
            var ua = new UserAgentParser().Parse(request.Headers["user-agent"]);
            Assert.True(ua is { IsBrowser: true, Family: "firefox", Engine: "gecko" }, $"not taken for Firefox: {request.Headers["user-agent"]}");

            // What Gecko sends and Chromium's checks must not expect of it: Sec-Fetch-* (Firefox ≥ 90), no client hints.
            Assert.NotNull(request.Headers["sec-fetch-mode"]);
            Assert.NotNull(request.Headers["accept-language"]);
            Assert.Null(request.Headers["sec-ch-ua"]);
            Assert.True(request.Tls!.OfferedH2, "Firefox offers h2");

            Assert.Equal(DecisionAction.Allow, decision.Action);
            Assert.DoesNotContain(decision.Reasons, r => MismatchSignals.Contains(r.Signal));
        }
    }

    [ToolFact("curl")]
    public void Curl_with_a_firefox_user_agent_is_flagged_as_a_mismatch()
    {
        var seen = captures.ByClient["curl_firefox_ua"];
        Assert.True(seen.Count == 2, $"{seen.Count} requests recorded. {string.Join("; ", captures.Problems)}");
        foreach (var (request, decision) in seen)
        {
            Assert.Equal(RealClientCaptures.FirefoxUserAgent, request.Headers["user-agent"]);
            var mismatch = decision.Reasons.SingleOrDefault(r => r.Signal == "ua_tls_mismatch");
            Assert.True(mismatch is not null, $"no ua_tls_mismatch among {Describe(decision)}");
            Assert.Equal("User-Agent says firefox 128, TLS fingerprint says curl", mismatch.Detail);
            Assert.True(decision.Action is DecisionAction.Challenge or DecisionAction.Block, Describe(decision));
        }
    }

    private void AssertCataloguedAndRefusedAsChrome(string client)
    {
        AssertStableAndCatalogued(client);
        foreach (var (request, decision) in captures.ByClient[client])
        {
            Assert.Equal(RealClientCaptures.ChromeUserAgent, request.Headers["user-agent"]);
            var mismatch = decision.Reasons.SingleOrDefault(r => r.Signal == "ua_tls_mismatch");
            Assert.True(mismatch is not null, $"{client}: no ua_tls_mismatch among {Describe(decision)}");
            Assert.Equal($"User-Agent says chrome 120, TLS fingerprint says {ExpectedMore[client].Family}", mismatch.Detail);
            Assert.True(decision.Action is DecisionAction.Challenge or DecisionAction.Block, $"{client}: {Describe(decision)}");
        }
    }

    private void AssertStableAndCatalogued(string client)
    {
        var seen = captures.ByClient.GetValueOrDefault(client) ?? [];
        Assert.True(seen.Count == 2, $"{client}: {seen.Count} requests recorded, expected 2. {string.Join("; ", captures.Problems)}");
        var ja4s = seen.Select(s => s.Request.Tls?.Ja4).Distinct().ToList();
        Assert.True(ja4s.Count == 1 && ja4s[0] is not null, $"{client}: JA4s {string.Join(", ", ja4s)}");
        output.WriteLine($"{client}: JA4 {ja4s[0]}, JA3 {string.Join(" / ", seen.Select(s => s.Request.Tls!.Ja3).Distinct())}, {captures.Versions.GetValueOrDefault(client)}");
        if (CatalogueOut is null)
        {
            var entry = FingerprintCatalogue.BuiltIn.Lookup(ja4s[0], null);
            Assert.True(entry is not null, $"{client}: JA4 {ja4s[0]} is not in the catalogue (regenerate it: docs/fingerprints.md)");
            Assert.Equal(ExpectedMore[client], (entry.Family, entry.Kind));
        }
    }
}
