using System.Text.Json;
using Bulwark.Core.Fingerprints;

namespace Bulwark.IntegrationTests;

/// <summary>
/// <c>bulwark replay</c> runs the client-identity detectors the gateway runs: request records carrying a browser
/// User-Agent and a tool's JA4 get <c>ua_tls_mismatch</c>; a record as Chromium sends it gets no identity signal.
/// </summary>
public sealed class ReplayIdentityTests
{
    private const string Chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";

    [Fact]
    public async Task Replayed_records_get_the_gateways_identity_signals()
    {
        var curl = FingerprintCatalogue.BuiltIn.Entries.First(e => e.Family == "curl");
        var chromium = FingerprintCatalogue.BuiltIn.Entries.First(e => e.Family == "chromium");
        var records = string.Join('\n',
            Record("203.0.113.7", curl.Ja4, [("host", "shop.example"), ("user-agent", Chrome), ("accept", "*/*")]),
            Record("198.51.100.9", chromium.Ja4,
            [
                ("host", "shop.example"), ("sec-ch-ua", "\"Chromium\";v=\"120\", \"Not(A:Brand\";v=\"24\", \"Google Chrome\";v=\"120\""),
                ("sec-ch-ua-mobile", "?0"), ("sec-ch-ua-platform", "\"Linux\""), ("upgrade-insecure-requests", "1"), ("user-agent", Chrome),
                ("accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"), ("sec-fetch-site", "none"), ("sec-fetch-mode", "navigate"),
                ("sec-fetch-user", "?1"), ("sec-fetch-dest", "document"), ("accept-encoding", "gzip, deflate, br"), ("accept-language", "en-US,en;q=0.9"),
            ])) + "\n";

        var (exitCode, stdout, stderr) = await BulwarkCli.RunWithInputAsync(records, "replay", "--input", "-", "--decisions", "-");
        Assert.True(exitCode == 0, stderr);
        var decisions = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToArray();
        Assert.Equal(2, decisions.Length);

        var mismatch = decisions[0].GetProperty("reasons").EnumerateArray().Single(r => r.GetProperty("signal").GetString() == "ua_tls_mismatch");
        Assert.Contains("curl", mismatch.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.NotEqual("allow", decisions[0].GetProperty("action").GetString());
        Assert.Equal(curl.Ja4, decisions[0].GetProperty("actor").GetProperty("ja4").GetString());

        Assert.Equal("allow", decisions[1].GetProperty("action").GetString());
        Assert.Empty(decisions[1].GetProperty("reasons").EnumerateArray());
    }

    private static string Record(string ip, string ja4, (string Name, string Value)[] headers)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("ts", "2026-11-21T10:00:00Z");
            json.WriteString("ip", ip);
            json.WriteString("method", "GET");
            json.WriteString("path", "/api/products/1");
            json.WriteStartObject("headers");
            foreach (var (name, value) in headers)
            {
                json.WriteString(name, value);
            }

            json.WriteEndObject();
            json.WriteStartObject("tls");
            json.WriteString("ja4", ja4);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
