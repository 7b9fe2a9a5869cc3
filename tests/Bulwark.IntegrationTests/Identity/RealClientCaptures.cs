using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Bulwark.Core;
using Bulwark.Core.Decisions;
using Microsoft.Playwright;

namespace Bulwark.IntegrationTests.Identity;

/// <summary>
/// Runs every real client twice (two connections each) against one <see cref="IdentityTestHost"/> while tshark captures the
/// loopback traffic, once for all the tests of <see cref="RealClientIdentityTests"/>. A client whose program is missing is
/// left out (its tests skip or, under CI=true, fail through their <see cref="ToolFactAttribute"/>).
/// </summary>
public sealed partial class RealClientCaptures : IAsyncLifetime
{
    /// <summary>A current desktop Chrome User-Agent, which curl and python-requests pretend to be.</summary>
    public const string ChromeUserAgent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";

    private IdentityTestHost? _host;

    /// <summary>Per client: the decisions of its requests with what Bulwark saw.</summary>
    public Dictionary<string, List<(RequestContext Request, Decision Decision)>> ByClient { get; } = new();

    /// <summary>Client versions, for the catalogue's <c>client</c> field.</summary>
    public Dictionary<string, string> Versions { get; } = new();

    /// <summary>tshark's JA3 (hash and full string) by client source port; null when tshark did not run.</summary>
    public Dictionary<int, (string Ja3, string Ja3Full)>? Tshark { get; private set; }

    /// <summary>Fingerprints by client port as the hook computed them.</summary>
    public IReadOnlyDictionary<int, Bulwark.Core.Fingerprints.TlsClientFingerprint?> Connections => _host!.ConnectionsByPort;

    /// <summary>Errors met while running clients (shown when a test fails).</summary>
    public List<string> Problems { get; } = new();

    public async Task InitializeAsync()
    {
        _host = await IdentityTestHost.StartAsync();
        var capture = Path.Combine(Path.GetTempPath(), $"bulwark-identity-{Environment.ProcessId}-{_host.Port}.pcapng");
        Process? tshark = null;
        if (Tools.Find("tshark") is { } tsharkPath)
        {
            tshark = await StartCaptureAsync(tsharkPath, capture, _host.Port);
        }

        for (var run = 1; run <= 2; run++)
        {
            await RunClientAsync("curl", run, url => CurlAsync(url, _host.Port, ChromeUserAgent));
            await RunClientAsync("python3", run, url => PythonRequestsAsync(url, ChromeUserAgent), tool: "python3", name: "python-requests");
            await RunClientAsync("node", run, url => Exec("node", ["-e", "fetch(process.argv[1]).then(r => console.log(r.status))", url], ("NODE_TLS_REJECT_UNAUTHORIZED", "0"), ("NODE_NO_WARNINGS", "1")));
            await RunClientAsync("dotnet", run, DotNetAsync, tool: null);
            await RunMoreClientsAsync(run);
        }

        if (Tools.Find("chromium") is not null)
        {
            await RunChromiumAsync();
        }

        if (Tools.Find(FirefoxMarionette.Program) is not null)
        {
            await RunFirefoxAsync();
        }

        if (tshark is not null)
        {
            await StopCaptureAsync(tshark);
            Tshark = await ReadCaptureAsync(capture, _host.Port);
            File.Delete(capture);
        }

        foreach (var name in ByClient.Keys.ToList())
        {
            ByClient[name] = _host.DecisionsFor("client=" + name + "-").ToList();
        }

        Versions["curl"] = (await Exec("curl", ["--version"])).Split('\n')[0];
        Versions["python-requests"] = "python-requests " + (await Exec("python3", ["-c", "import requests, ssl; print(requests.__version__, ssl.OPENSSL_VERSION)"])).Trim();
        Versions["node"] = "Node.js " + (await Exec("node", ["--version"])).Trim() + " fetch (undici)";
        Versions["dotnet"] = ".NET " + Environment.Version + " HttpClient (SocketsHttpHandler, OpenSSL)";
        await MoreVersionsAsync();
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    private async Task RunClientAsync(string program, int run, Func<string, Task<string>> client, string? tool = "", string? name = null)
    {
        name ??= program;
        ByClient.TryAdd(name, []);
        if (tool is not null && Tools.Find(tool.Length == 0 ? program : tool) is null)
        {
            return;
        }

        try
        {
            await client($"{_host!.BaseUrl}/api/products/{run}?client={name}-{run}");
        }
        catch (Exception exception) when (exception is InvalidOperationException or HttpRequestException or IOException or System.ComponentModel.Win32Exception)
        {
            Problems.Add($"{name} run {run}: {exception.Message}");
        }
    }

    private static async Task<string> DotNetAsync(string url)
    {
        // A new handler per run: a new connection, so the second run is a second handshake. Resumption is off because a
        // resumed handshake adds pre_shared_key and changes the JA4 (see docs/fingerprints.md).
        using var handler = new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true, AllowTlsResume = false } };
        using var client = new HttpClient(handler);
        using var response = await client.GetAsync(url);
        return ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    private async Task RunChromiumAsync()
    {
        ByClient.TryAdd("chromium", []);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchChromiumAsync(playwright);
        Versions["chromium"] = "Chromium " + browser.Version + " (Debian, headless, Playwright)";
        var userAgent = await PersonUserAgentAsync(browser);

        for (var run = 1; run <= 2; run++)
        {
            // A context per run has its own network state: a new connection and a full handshake.
            await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { IgnoreHTTPSErrors = true, UserAgent = userAgent });
            var page = await context.NewPageAsync();
            var response = await page.GotoAsync($"{_host!.BaseUrl}/api/products/{run}?client=chromium-{run}");
            if (response is null)
            {
                Problems.Add($"chromium run {run}: no response");
            }
        }
    }

    private static async Task<Process> StartCaptureAsync(string tshark, string file, int port)
    {
        // -P prints a line per packet while writing the file: how we know the capture really runs.
        var info = new ProcessStartInfo(tshark) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in new[] { "-i", "lo", "-f", $"tcp port {port}", "-l", "-P", "-w", file })
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info)!;
        var seen = new TaskCompletionSource();
        _ = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync() is not null)
            {
                seen.TrySetResult();
            }
        });
        _ = process.StandardError.ReadToEndAsync();

        // Probe with bare TCP connections until tshark shows a packet: "Capturing on" comes before the filter is live.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!seen.Task.IsCompleted)
        {
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException("tshark captured nothing on lo (exit code " + (process.HasExited ? process.ExitCode : -1) + ")");
            }

            using (var probe = new System.Net.Sockets.TcpClient())
            {
                await probe.ConnectAsync(IPAddress.Loopback, port);
            }

            await Task.WhenAny(seen.Task, Task.Delay(200));
        }

        return process;
    }

    private static async Task StopCaptureAsync(Process tshark)
    {
        await Task.Delay(500); // let the last packets reach the capture buffer
        using (var kill = Process.Start("kill", ["-INT", tshark.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await tshark.WaitForExitAsync(timeout.Token);
        tshark.Dispose();
    }

    private static async Task<Dictionary<int, (string, string)>> ReadCaptureAsync(string file, int port)
    {
        var output = await Exec("tshark", ["-r", file, "-d", $"tcp.port=={port},tls", "-Y", "tls.handshake.type == 1", "-T", "fields", "-e", "tcp.srcport", "-e", "tls.handshake.ja3", "-e", "tls.handshake.ja3_full"]);
        var result = new Dictionary<int, (string, string)>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split('\t');
            if (fields.Length == 3 && int.TryParse(fields[0], out var source))
            {
                result[source] = (fields[1], fields[2]);
            }
        }

        return result;
    }

    /// <summary>curl to <paramref name="url"/> (https://localhost:PORT/…, resolved to 127.0.0.1 so it sends SNI): prints "STATUS CONTENT-TYPE".</summary>
    internal static Task<string> CurlAsync(string url, int port, string userAgent) =>
        Exec("curl", ["-sk", "--resolve", $"localhost:{port}:127.0.0.1", "-o", "/dev/null", "-w", "%{http_code} %{content_type}", "-A", userAgent, url]);

    /// <summary>python3-requests GET of <paramref name="url"/> with <paramref name="userAgent"/>: prints "STATUS CONTENT-TYPE".</summary>
    internal static Task<string> PythonRequestsAsync(string url, string userAgent) =>
        Exec("python3", ["-c", "import sys, requests, urllib3; urllib3.disable_warnings(); r = requests.get(sys.argv[1], headers={'User-Agent': sys.argv[2]}, verify=False); print(r.status_code, r.headers.get('content-type'))", url, userAgent]);

    /// <summary>Debian's headless Chromium through Playwright, with the flags the real-client tests use.</summary>
    internal static Task<IBrowser> LaunchChromiumAsync(IPlaywright playwright) =>
        playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumFactAttribute.ExecutablePath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });

    /// <summary>
    /// Headless Chromium says "HeadlessChrome/", which the crawler list calls a bot. A person's Chromium says "Chrome/":
    /// this is that User-Agent, so the detectors judge a browser claim against the browser's own TLS and headers.
    /// </summary>
    internal static async Task<string> PersonUserAgentAsync(IBrowser browser)
    {
        await using var probe = await browser.NewContextAsync();
        var blank = await probe.NewPageAsync();
        return (await blank.EvaluateAsync<string>("navigator.userAgent")).Replace("HeadlessChrome/", "Chrome/", StringComparison.Ordinal);
    }

    internal static Task<string> Exec(string program, string[] args, params (string Name, string Value)[] environment) =>
        Exec(program, args, TimeSpan.FromSeconds(60), [0], environment);

    /// <summary>Runs <paramref name="program"/>; an exit code outside <paramref name="success"/> throws with its stderr.</summary>
    internal static async Task<string> Exec(string program, string[] args, TimeSpan limit, int[] success, params (string Name, string Value)[] environment)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{program} did not finish within {limit.TotalSeconds} s");
        }

        if (!success.Contains(process.ExitCode))
        {
            throw new InvalidOperationException($"{program} exited {process.ExitCode}: {await stderr}");
        }

        return await stdout;
    }

    /// <summary>The catalogue file text for the captured clients (what <c>BULWARK_CATALOGUE_OUT</c> writes).</summary>
    public string CatalogueJson(IReadOnlyDictionary<string, (string Family, string Kind)> families)
    {
        var entries = new List<object>();
        foreach (var (client, decisions) in ByClient.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            var tls = decisions.Select(d => d.Request.Tls).Where(t => t?.Ja4 is not null).ToList();
            if (tls.Count == 0 || !families.TryGetValue(client, out var family))
            {
                continue;
            }

            // JA3 only when it was the same on every connection (Chromium shuffles its extensions, so its JA3 changes).
            var ja3 = tls.Select(t => t!.Ja3).Distinct().Count() == 1 ? tls[0]!.Ja3 : null;
            entries.Add(new { ja4 = tls[0]!.Ja4, ja3, family = family.Family, kind = family.Kind, client = Versions.GetValueOrDefault(client) ?? client, captured = CapturedOn });
        }

        return JsonSerializer.Serialize(new
        {
            version = 1,
            note = "Captured from real handshakes by tests/Bulwark.IntegrationTests/Identity (BULWARK_CATALOGUE_OUT=…); see docs/fingerprints.md.",
            entries,
        }, new JsonSerializerOptions { WriteIndented = true });
    }
}
