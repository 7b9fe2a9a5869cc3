using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Bulwark.Core.Fingerprints;
using Microsoft.Playwright;

namespace Bulwark.IntegrationTests.Identity;

/// <summary>
/// Real clients make real TLS handshakes to THE GATEWAY: the built <c>bulwark serve</c> process with an http and an https
/// URL (the demo API behind it, the default policy, the self-signed demo certificate) and a decision log. curl and
/// python-requests pretending to be Chrome are refused with problem+json and logged with <c>ua_tls_mismatch</c> and their
/// JA4; Debian's headless Chromium is allowed with no mismatch.
/// </summary>
public sealed class GatewayRealClientTests
{
    private static readonly string[] IdentitySignals = ["ua_tls_mismatch", "browser_headers_missing", "client_hints_mismatch", "header_order_mismatch", "browser_without_h2", "browser_without_tls13"];

    [ToolFact("curl", "python3", "chromium")]
    public async Task Curl_and_python_claiming_chrome_are_refused_and_chromium_passes_at_bulwark_serve()
    {
        var (process, output, httpPort, httpsPort, decisions) = await StartServeAsync();
        try
        {
            var baseUrl = $"https://localhost:{httpsPort}";

            // curl with a Chrome User-Agent: TLS says curl.
            var curl = (await RealClientCaptures.CurlAsync($"{baseUrl}/api/products/1", httpsPort, RealClientCaptures.ChromeUserAgent)).Trim();
            var curlRecord = await NextRecordAsync(decisions, 0, output);
            AssertRefused(curl, curlRecord, "curl");

            // python-requests with a Chrome User-Agent: TLS says python-requests.
            var python = (await RealClientCaptures.PythonRequestsAsync($"{baseUrl}/api/products/2", RealClientCaptures.ChromeUserAgent)).Trim();
            var pythonRecord = await NextRecordAsync(decisions, 1, output);
            AssertRefused(python, pythonRecord, "python-requests");

            // Debian's headless Chromium with a person's Chromium User-Agent: allowed, no identity signal.
            using var playwright = await Playwright.CreateAsync();
            await using var browser = await RealClientCaptures.LaunchChromiumAsync(playwright);
            var userAgent = await RealClientCaptures.PersonUserAgentAsync(browser);
            await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { IgnoreHTTPSErrors = true, UserAgent = userAgent });
            var page = await context.NewPageAsync();
            var response = await page.GotoAsync($"{baseUrl}/api/products/3");
            Assert.NotNull(response);
            Assert.Equal(200, response.Status);
            // By path: the browser may ask for /favicon.ico right after the page, which is a record of its own.
            var chromiumRecord = await RecordForPathAsync(decisions, "/api/products/3", output);
            AssertAllowedWithoutIdentitySignal(chromiumRecord);
            var ja4 = chromiumRecord.GetProperty("actor").GetProperty("ja4").GetString();
            Assert.Equal("chromium", FingerprintCatalogue.BuiltIn.Lookup(ja4, null)?.Family);

            // A fetch() from the page, as a browser calls an API (its own header set and order): allowed, no identity signal.
            Assert.Equal(200, await FetchStatusAsync(page, "/api/products/4"));
            AssertAllowedWithoutIdentitySignal(await RecordForPathAsync(decisions, "/api/products/4", output));

            // Plain HTTP/1.1, where the gateway reads the header order off the wire: a navigation and a fetch() pass too.
            var plainPage = await context.NewPageAsync();
            var plain = await plainPage.GotoAsync($"http://127.0.0.1:{httpPort}/api/products/5");
            Assert.NotNull(plain);
            Assert.Equal(200, plain.Status);
            AssertAllowedWithoutIdentitySignal(await RecordForPathAsync(decisions, "/api/products/5", output));
            Assert.Equal(200, await FetchStatusAsync(plainPage, "/api/products/6"));
            AssertAllowedWithoutIdentitySignal(await RecordForPathAsync(decisions, "/api/products/6", output));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }

            process.Dispose();
            File.Delete(decisions);
        }
    }

    // `bulwark serve` on two free ports, ready (every listener bound). A port found free can be taken by another test
    // process before serve binds it; serve then says "cannot listen" and exits, and we try other ports (three times).
    private static async Task<(Process Process, StringBuilder Output, int HttpPort, int HttpsPort, string Decisions)> StartServeAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            var httpPort = FreePort();
            var httpsPort = FreePort();
            var decisions = Path.Combine(Path.GetTempPath(), $"bulwark-gateway-clients-{Environment.ProcessId}-{httpsPort}.jsonl");
            var process = BulwarkCli.Start("serve", "--urls", $"http://127.0.0.1:{httpPort};https://127.0.0.1:{httpsPort}", "--decisions", decisions);
            var output = new StringBuilder();
            process.OutputDataReceived += (_, e) => Append(output, e.Data);
            process.ErrorDataReceived += (_, e) => Append(output, e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            try
            {
                await WaitReadyAsync(process, httpPort, output);
                return (process, output, httpPort, httpsPort, decisions);
            }
            catch (InvalidOperationException) when (attempt < 3 && Text(output).Contains("cannot listen", StringComparison.Ordinal))
            {
                process.Dispose();
                File.Delete(decisions);
            }
            catch
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }

                process.Dispose();
                throw;
            }
        }
    }

    [Theory]
    [InlineData("ftp://127.0.0.1:5080", "ftp://")]
    [InlineData("http://127.0.0.1:5080;not a url", "not a url")]
    public async Task Serve_refuses_urls_it_cannot_listen_on_as_bad_usage(string urls, string named)
    {
        var (exitCode, _, stderr) = await BulwarkCli.RunAsync("serve", "--urls", urls);
        Assert.Equal(2, exitCode);
        Assert.Contains("--urls", stderr, StringComparison.Ordinal);
        Assert.Contains(named, stderr, StringComparison.Ordinal);
    }

    private static void AssertRefused(string clientOutput, JsonElement record, string family)
    {
        // "STATUS CONTENT-TYPE" as the client saw it.
        var parts = clientOutput.Split(' ', 2);
        Assert.Contains(parts[0], new[] { "401", "403" });
        Assert.StartsWith("application/problem+json", parts[1], StringComparison.Ordinal);
        Assert.Contains(record.GetProperty("action").GetString(), new[] { "challenge", "block" });
        Assert.Equal(int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), record.GetProperty("status").GetInt32());
        var mismatch = record.GetProperty("reasons").EnumerateArray().Single(r => r.GetProperty("signal").GetString() == "ua_tls_mismatch");
        Assert.Contains(family, mismatch.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var ja4 = record.GetProperty("actor").GetProperty("ja4").GetString();
        Assert.Matches("^t1[23]d[0-9]{4}[0-9a-z]{2}_[0-9a-f]{12}_[0-9a-f]{12}$", ja4);
        Assert.Equal(family, FingerprintCatalogue.BuiltIn.Lookup(ja4, null)?.Family);
    }

    private static Task<int> FetchStatusAsync(IPage page, string path) =>
        page.EvaluateAsync<int>("async path => (await fetch(path, { headers: { 'Accept': 'application/json' } })).status", path);

    private static void AssertAllowedWithoutIdentitySignal(JsonElement record)
    {
        var signals = Signals(record);
        Assert.True(record.GetProperty("action").GetString() == "allow", $"{record.GetProperty("path")}: {record.GetProperty("action")} {string.Join(", ", signals)}");
        Assert.DoesNotContain(signals, IdentitySignals.Contains);
    }

    // The decision record for PATH, waiting for the gateway to write it.
    private static async Task<JsonElement> RecordForPathAsync(string path, string requestPath, StringBuilder output)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(15))
        {
            if (File.Exists(path))
            {
                using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                using var reader = new StreamReader(stream);
                foreach (var line in (await reader.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries))
                {
                    var record = JsonDocument.Parse(line).RootElement;
                    if (record.GetProperty("path").GetString() == requestPath)
                    {
                        return record.Clone();
                    }
                }
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"no decision record for {requestPath} in {path}:\n{Text(output)}");
    }

    private static string[] Signals(JsonElement record) =>
        [.. record.GetProperty("reasons").EnumerateArray().Select(r => r.GetProperty("signal").GetString()!)];

    // The decision log line number `index` (0-based), waiting for the gateway to write it.
    private static async Task<JsonElement> NextRecordAsync(string path, int index, StringBuilder output)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(15))
        {
            if (File.Exists(path))
            {
                string[] lines;
                using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
                using (var reader = new StreamReader(stream))
                {
                    lines = (await reader.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
                }

                if (lines.Length > index)
                {
                    Assert.True(lines.Length == index + 1, $"expected {index + 1} decisions, found {lines.Length}:\n{string.Join('\n', lines)}");
                    return JsonDocument.Parse(lines[index]).RootElement.Clone();
                }
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"no decision record {index + 1} in {path}:\n{Text(output)}");
    }

    private static async Task WaitReadyAsync(Process process, int httpPort, StringBuilder output)
    {
        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (process.HasExited)
            {
                await process.WaitForExitAsync(); // the rest of its output
                throw new InvalidOperationException($"bulwark serve exited with {process.ExitCode}:\n{Text(output)}");
            }

            try
            {
                using var response = await probe.GetAsync(new Uri($"http://127.0.0.1:{httpPort}/.bulwark/ready"));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"bulwark serve did not get ready:\n{Text(output)}");
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is not null)
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        }
    }

    private static string Text(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
