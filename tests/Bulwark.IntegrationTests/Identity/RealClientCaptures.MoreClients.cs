using System.Globalization;

namespace Bulwark.IntegrationTests.Identity;

/// <summary>
/// The clients added to the catalogue after the first five: Go net/http, Java's java.net.http.HttpClient, Python's
/// urllib (stdlib), wget, and Debian's Firefox ESR through Marionette; and curl wearing a Firefox User-Agent. Each runs
/// twice, a new process per run (so a new connection and a full handshake: nothing is resumed).
/// </summary>
public sealed partial class RealClientCaptures
{
    /// <summary>A Firefox User-Agent, which curl pretends to be.</summary>
    public const string FirefoxUserAgent = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

    /// <summary>The Go and Java client programs (tests/Bulwark.IntegrationTests/Identity/Clients, copied beside the tests).</summary>
    private static readonly string ClientSources = Path.Combine(AppContext.BaseDirectory, "Identity", "Clients");

    private static readonly TimeSpan SlowStart = TimeSpan.FromSeconds(180);

    private string? _goClient;
    private string? _certificatePem;

    /// <summary>The date of this capture (UTC), for the catalogue's <c>captured</c> field.</summary>
    public static string CapturedOn { get; } = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>Firefox's own User-Agent (from <c>navigator.userAgent</c>), null when Firefox did not run.</summary>
    public string? FirefoxOwnUserAgent { get; private set; }

    private async Task RunMoreClientsAsync(int run)
    {
        await RunClientAsync("go", run, GoAsync, name: "go-http");
        await RunClientAsync("java", run, url => Exec(
            "java",
            ["-Djdk.internal.httpclient.disableHostnameVerification=true", Path.Combine(ClientSources, "JavaHttpClient.java"), url, ChromeUserAgent],
            SlowStart,
            [0]));

        // urllib as a script uses it: urlopen's own default context (verification on, ALPN http/1.1, post-handshake auth),
        // trusting the test certificate through SSL_CERT_FILE. A context made by hand would send another hello (no ALPN).
        await RunClientAsync("python3", run, url => Exec(
            "python3",
            ["-c", "import sys, urllib.request, urllib.error\ntry:\n r = urllib.request.urlopen(urllib.request.Request(sys.argv[1], headers={'User-Agent': sys.argv[2]}))\nexcept urllib.error.HTTPError as e:\n r = e\nprint(r.getcode())", url, ChromeUserAgent],
            ("SSL_CERT_FILE", CertificatePem())), tool: "python3", name: "python-urllib");

        // A script that copies Chromium's TLS 1.2 cipher suites into its own SSLContext to pass for Chrome: OpenSSL still
        // sends no GREASE (and adds its renegotiation SCSV), and no catalogue entry holds this hello.
        await RunClientAsync("python3", run, url => Exec(
            "python3",
            ["-c", "import sys, ssl, urllib.request, urllib.error\nctx = ssl.create_default_context()\nctx.set_ciphers('" + ChromiumTls12Ciphers + "')\nctx.set_alpn_protocols(['http/1.1'])\ntry:\n r = urllib.request.urlopen(urllib.request.Request(sys.argv[1], headers={'User-Agent': sys.argv[2]}), context=ctx)\nexcept urllib.error.HTTPError as e:\n r = e\nprint(r.getcode())", url, ChromeUserAgent],
            ("SSL_CERT_FILE", CertificatePem())), tool: "python3", name: "python-chromium-ciphers");

        // wget exits 8 when the server answers 4xx (a refusal is an answer here).
        await RunClientAsync("wget", run, url => Exec("wget", ["-q", "--no-check-certificate", "-O", "/dev/null", "-U", ChromeUserAgent, url], TimeSpan.FromSeconds(60), [0, 8]));

        await RunClientAsync("curl", run, url => CurlAsync(url, _host!.Port, FirefoxUserAgent), name: "curl_firefox_ua");
    }

    /// <summary>Chromium's TLS 1.2 cipher suites in OpenSSL's names (c02b c02f c02c c030 cca9 cca8 c013 c014 009c 009d 002f 0035).</summary>
    internal const string ChromiumTls12Ciphers =
        "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES128-SHA:ECDHE-RSA-AES256-SHA:AES128-GCM-SHA256:AES256-GCM-SHA384:AES128-SHA:AES256-SHA";

    private async Task<string> GoAsync(string url)
    {
        if (_goClient is null)
        {
            // Built once per run of the tests; its own cache and GOPATH under /tmp, so it needs no $HOME.
            var root = Path.Combine(Path.GetTempPath(), "bulwark-go");
            var binary = Path.Combine(root, $"gohttp-{Environment.ProcessId}");
            await Exec("go", ["build", "-o", binary, Path.Combine(ClientSources, "gohttp.go")], SlowStart, [0],
                ("GOCACHE", Path.Combine(root, "cache")), ("GOPATH", Path.Combine(root, "path")));
            _goClient = binary;
        }

        return await Exec(_goClient, [url, ChromeUserAgent]);
    }

    private string CertificatePem()
    {
        if (_certificatePem is null)
        {
            _certificatePem = Path.Combine(Path.GetTempPath(), $"bulwark-identity-{Environment.ProcessId}-{_host!.Port}.pem");
            File.WriteAllText(_certificatePem, _host.Certificate.ExportCertificatePem());
        }

        return _certificatePem;
    }

    private async Task RunFirefoxAsync()
    {
        ByClient.TryAdd("firefox", []);
        for (var run = 1; run <= 2; run++)
        {
            try
            {
                // A new process and profile per run: Firefox keeps TLS sessions per process, and a resumed handshake
                // (pre_shared_key) has another JA4.
                await using var firefox = await FirefoxMarionette.StartAsync();
                Versions["firefox"] = $"Firefox {firefox.Version} ESR (Debian, headless, Marionette)";
                FirefoxOwnUserAgent = await firefox.UserAgentAsync();
                await firefox.NavigateAsync($"{_host!.BaseUrl}/api/products/{run}?client=firefox-{run}");
            }
            catch (Exception exception) when (exception is InvalidOperationException or IOException or System.Net.Sockets.SocketException or OperationCanceledException or System.ComponentModel.Win32Exception)
            {
                Problems.Add($"firefox run {run}: {exception.Message}");
            }
        }
    }

    private async Task MoreVersionsAsync()
    {
        if (_certificatePem is not null)
        {
            File.Delete(_certificatePem);
        }

        if (_goClient is not null)
        {
            File.Delete(_goClient);
            Versions["go-http"] = "Go " + (await Exec("go", ["version"])).Trim().Replace("go version go", "", StringComparison.Ordinal) + " net/http (crypto/tls)";
        }

        if (Tools.Find("java") is not null)
        {
            Versions["java"] = (await Exec("java", ["--version"])).Split('\n')[0].Trim() + " java.net.http.HttpClient (SunJSSE)";
        }

        if (Tools.Find("python3") is not null)
        {
            Versions["python-urllib"] = "Python " + (await Exec("python3", ["-c", "import sys, ssl; print(sys.version.split()[0], 'urllib,', ssl.OPENSSL_VERSION)"])).Trim();
        }

        if (Tools.Find("wget") is not null)
        {
            Versions["wget"] = (await Exec("wget", ["--version"])).Split('\n')[0].Split(" built on")[0].Trim() + " (GnuTLS)";
        }
    }
}
