using System.Text.Json;
using System.Text.Json.Nodes;
using Bulwark.Core.Decisions;
using Bulwark.Core.Fingerprints;

namespace Bulwark.IntegrationTests.Identity;

/// <summary>
/// Real clients — curl, python3-requests, Node's fetch, .NET HttpClient, Debian's headless Chromium — make real TLS
/// handshakes to a Kestrel host with the Bulwark hooks, middleware and default policy. Their JA4 is stable and named
/// right by the catalogue, curl and python-requests wearing a Chrome User-Agent are refused for the mismatch, Chromium
/// passes clean, and every JA3 equals tshark's on a capture of the same handshakes.
/// Set <c>BULWARK_CATALOGUE_OUT=path</c> to write the catalogue from these captures instead of checking it.
/// </summary>
public sealed partial class RealClientIdentityTests(RealClientCaptures captures, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<RealClientCaptures>
{
    /// <summary>What each client is, as the catalogue must say.</summary>
    public static readonly IReadOnlyDictionary<string, (string Family, string Kind)> Expected = new Dictionary<string, (string, string)>
    {
        ["curl"] = ("curl", "tool"),
        ["python-requests"] = ("python-requests", "library"),
        ["node"] = ("node", "library"),
        ["dotnet"] = ("dotnet", "library"),
        ["chromium"] = ("chromium", "browser"),
    };

    private static readonly string? CatalogueOut = Environment.GetEnvironmentVariable("BULWARK_CATALOGUE_OUT") is { Length: > 0 } p ? p : null;

    [ToolFact("curl", "python3", "node", "chromium")]
    public void Every_client_has_one_stable_ja4_on_two_connections_and_the_catalogue_names_its_family()
    {
        if (CatalogueOut is not null)
        {
            WriteCatalogue(CatalogueOut);
        }

        foreach (var (client, (family, kind)) in Expected)
        {
            var seen = captures.ByClient[client];
            Assert.True(seen.Count == 2, $"{client}: {seen.Count} requests recorded, expected 2. {string.Join("; ", captures.Problems)}");
            var ja4s = seen.Select(s => s.Request.Tls?.Ja4).Distinct().ToList();
            Assert.True(ja4s.Count == 1 && ja4s[0] is not null, $"{client}: JA4s {string.Join(", ", ja4s)}");
            if (CatalogueOut is null)
            {
                var entry = FingerprintCatalogue.BuiltIn.Lookup(ja4s[0], null);
                Assert.True(entry is not null, $"{client}: JA4 {ja4s[0]} is not in the catalogue (regenerate it: docs/fingerprints.md)");
                Assert.Equal((family, kind), (entry.Family, entry.Kind));
            }
        }
    }

    [ToolFact("curl", "python3")]
    public void Curl_and_python_requests_with_a_chrome_user_agent_are_flagged_and_refused()
    {
        foreach (var client in new[] { "curl", "python-requests" })
        {
            foreach (var (request, decision) in captures.ByClient[client])
            {
                Assert.Equal(RealClientCaptures.ChromeUserAgent, request.Headers["user-agent"]);
                var mismatch = decision.Reasons.SingleOrDefault(r => r.Signal == "ua_tls_mismatch");
                Assert.True(mismatch is not null, $"{client}: no ua_tls_mismatch among {Describe(decision)}");
                Assert.Contains(client == "curl" ? "curl" : "python-requests", mismatch.Detail, StringComparison.Ordinal);
                Assert.True(decision.Action is DecisionAction.Challenge or DecisionAction.Block, $"{client}: {Describe(decision)}");

                // Also refused if the thresholds move to challenge 80 / block 95.
                Assert.True(decision.Score >= 80, $"{client}: score {decision.Score} < 80: {Describe(decision)}");
            }
        }
    }

    [ToolFact("chromium")]
    public void Headless_chromium_is_allowed_with_no_mismatch_signal()
    {
        var seen = captures.ByClient["chromium"];
        Assert.Equal(2, seen.Count);
        foreach (var (request, decision) in seen)
        {
            output.WriteLine($"chromium {request.Protocol} {request.Tls?.Ja4}: {Describe(decision)}");
            Console.WriteLine($"chromium {request.Protocol} {request.Tls?.Ja4}: {Describe(decision)}");
            Assert.Contains("Chrome/", request.Headers["user-agent"], StringComparison.Ordinal);
            Assert.True(new Bulwark.Core.Identity.UserAgentParser().Parse(request.Headers["user-agent"]).IsBrowser, "the test must make a browser claim");
            Assert.Equal(DecisionAction.Allow, decision.Action);
            Assert.DoesNotContain(decision.Reasons, r => r.Signal is "ua_tls_mismatch" or "client_hints_mismatch" or "header_order_mismatch" or "browser_without_h2");
        }
    }

    [ToolFact("tshark", "curl", "python3", "node")]
    public void Ja3_equals_tsharks_for_every_captured_handshake()
    {
        Assert.NotNull(captures.Tshark);
        var compared = 0;
        foreach (var (port, seen) in captures.Connections)
        {
            Assert.NotNull(seen);
            var fingerprint = seen.Value;
            Assert.True(captures.Tshark.TryGetValue(port, out var tshark), $"tshark saw no ClientHello from port {port} ({fingerprint.Ja4}); it saw ports {string.Join(", ", captures.Tshark.Keys.Order())}, the host {string.Join(", ", captures.Connections.Keys.Order())}");
            Assert.Equal(tshark.Ja3Full, fingerprint.Ja3Text);
            Assert.Equal(tshark.Ja3, fingerprint.Ja3);
            compared++;
        }

        // Two connections from each of curl, python-requests, node, .NET, and at least two from Chromium.
        Assert.True(compared >= 10, $"only {compared} handshakes compared");
    }

    [ToolFact("python3", "curl")]
    public void Http11_requests_keep_the_header_order_the_client_sent_and_http2_says_it_has_kestrels()
    {
        // python-requests (http.client) speaks HTTP/1.1 and sends Host, User-Agent, Accept-Encoding, Accept, Connection.
        var (python, _) = captures.ByClient["python-requests"][0];
        Assert.Equal("HTTP/1.1", python.Protocol);
        Assert.True(python.Headers.InClientOrder);
        Assert.Equal(["host", "user-agent", "accept-encoding", "accept", "connection"], python.Headers.AsSpan().ToArray().Select(h => h.Key).ToArray());

        // curl negotiates h2: HPACK order is not reachable through Kestrel, so the list is marked as the server's order.
        var (curl, _) = captures.ByClient["curl"][0];
        Assert.Equal("HTTP/2", curl.Protocol);
        Assert.False(curl.Headers.InClientOrder);
    }

    private void WriteCatalogue(string path)
    {
        var fresh = JsonNode.Parse(captures.CatalogueJson(Expected.Concat(ExpectedMore).ToDictionary()))!.AsObject();
        var entries = fresh["entries"]!.AsArray();
        var captured = entries.Select(e => (string)e!["ja4"]!).ToHashSet(StringComparer.Ordinal);

        // Keep entries of the existing catalogue this machine did not capture (clients installed elsewhere).
        foreach (var old in FingerprintCatalogue.BuiltIn.Entries.Where(e => !captured.Contains(e.Ja4)))
        {
            entries.Add(JsonSerializer.SerializeToNode(new { ja4 = old.Ja4, ja3 = old.Ja3, family = old.Family, kind = old.Kind, client = old.Client, captured = old.Captured }));
        }

        File.WriteAllText(path, fresh.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    private static string Describe(Decision decision) =>
        $"{decision.Action} score {decision.Score}: {string.Join("; ", decision.Reasons.Select(r => $"{r.Signal}={r.Weight} ({r.Detail})"))}";
}
