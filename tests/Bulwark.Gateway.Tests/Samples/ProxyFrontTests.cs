using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Bulwark.Gateway.Tests.Samples;

/// <summary>
/// Debian's nginx and Caddy, configured from samples/nginx-auth-request.conf and samples/Caddyfile (only the ports
/// replaced), in front of a real upstream, asking a real gateway's decision endpoint: allowed requests pass, blocked ones
/// get 403, limited ones 429 with Retry-After; a challenged request gets the challenge (the proof-of-work page for a
/// browser, problem+json for an API client), its solution is verified through the front proxy, and the pass cookie lets
/// the next request reach the upstream.
/// </summary>
public sealed class ProxyFrontTests
{
    private const string GatewayConfig = """
        { "Bulwark": {
            "TrustedProxies": [ "127.0.0.1/32", "::1/128" ],
            "Lists": { "Deny": { "ApiKeys": [ "stolen-key" ] } },
            "Challenge": { "Difficulty": 12, "Key": "front-proxy-test-key-0123456789abcdef", "CookieName": "front_pass" },
            "Routes": [ { "Name": "limited", "Path": "/status/**", "Policy": "limited" }, { "Name": "challenged", "Path": "/echo/challenged/**", "Policy": "challenged" },
                        { "Name": "rest", "Path": "/**", "Policy": "open" } ],
            "Policies": { "limited": { "Limits": [ { "Name": "status-ip", "Key": "ip", "Rate": "3/min" } ] }, "open": { },
                          "challenged": { "Signals": { "no_user_agent": 70 }, "Thresholds": { "Delay": 50, "Challenge": 60, "Block": 90 } } }
        } }
        """;

    [ExternalFact("nginx")]
    public async Task Nginx_auth_request_from_the_sample()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var gateway = await TestGateway.StartAsync(GatewayConfig);
        var port = TestGateway.FreePort();
        var folder = Directory.CreateTempSubdirectory("bulwark-nginx-");
        try
        {
            var sample = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "samples", "nginx-auth-request.conf"));
            var site = Ports(sample, ("127.0.0.1:8080", $"127.0.0.1:{port}"), ("127.0.0.1:5080", $"127.0.0.1:{gateway.Address.Port}"), ("127.0.0.1:3000", $"127.0.0.1:{upstream.Address.Port}"));
            await File.WriteAllTextAsync(Path.Combine(folder.FullName, "bulwark.conf"), site);
            var temp = folder.FullName;
            await File.WriteAllTextAsync(Path.Combine(folder.FullName, "nginx.conf"), $$"""
                {{(Environment.UserName == "root" ? "user root;" : "")}}
                worker_processes 1;
                events { worker_connections 256; }
                http {
                    access_log off;
                    client_body_temp_path {{temp}}/body;
                    proxy_temp_path {{temp}}/proxy;
                    fastcgi_temp_path {{temp}}/fastcgi;
                    uwsgi_temp_path {{temp}}/uwsgi;
                    scgi_temp_path {{temp}}/scgi;
                    include {{temp}}/bulwark.conf;
                }
                """);
            using var nginx = Start(ExternalFactAttribute.Find("nginx")!, ["-p", temp, "-c", Path.Combine(temp, "nginx.conf"), "-g", $"daemon off; pid {temp}/nginx.pid; error_log {temp}/error.log;"], null);
            try
            {
                await WaitForPortAsync(port, nginx, () => File.Exists(Path.Combine(temp, "error.log")) ? File.ReadAllText(Path.Combine(temp, "error.log")) : "");
                await CheckFrontAsync(port, upstream, expectRateLimitOnAllowed: true);
                await CheckChallengeAsync(port, upstream);
            }
            finally
            {
                Stop(nginx);
            }
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [ExternalFact("caddy")]
    public async Task Caddy_forward_auth_from_the_sample()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var gateway = await TestGateway.StartAsync(GatewayConfig);
        var port = TestGateway.FreePort();
        var folder = Directory.CreateTempSubdirectory("bulwark-caddy-");
        try
        {
            var sample = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "samples", "Caddyfile"));
            var caddyfile = Ports(sample, ("localhost:2019", $"localhost:{TestGateway.FreePort()}"), ("http://:8081 {", $"http://:{port} {{"),
                ("127.0.0.1:5080", $"127.0.0.1:{gateway.Address.Port}"), ("127.0.0.1:3000", $"127.0.0.1:{upstream.Address.Port}"));
            var file = Path.Combine(folder.FullName, "Caddyfile");
            await File.WriteAllTextAsync(file, caddyfile);
            var environment = new Dictionary<string, string>
            {
                ["HOME"] = folder.FullName,
                ["XDG_DATA_HOME"] = Path.Combine(folder.FullName, "data"),
                ["XDG_CONFIG_HOME"] = Path.Combine(folder.FullName, "config"),
            };
            using var caddy = Start(ExternalFactAttribute.Find("caddy")!, ["run", "--config", file, "--adapter", "caddyfile"], environment);
            try
            {
                await WaitForPortAsync(port, caddy, () => "");
                await CheckFrontAsync(port, upstream, expectRateLimitOnAllowed: false);
                await CheckChallengeAsync(port, upstream);
            }
            finally
            {
                Stop(caddy);
            }
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static async Task CheckFrontAsync(int port, TestUpstream upstream, bool expectRateLimitOnAllowed)
    {
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        client.DefaultRequestHeaders.UserAgent.ParseAdd("bulwark-front-test/1.0");

        // Allowed: reaches the upstream, which sees the request as the client sent it.
        var first = await client.GetAsync(new Uri("/echo/hello?x=1", UriKind.Relative));
        var text = await first.Content.ReadAsStringAsync();
        Assert.True(first.StatusCode == HttpStatusCode.OK, $"{first.StatusCode}: {first.Headers} {text}");
        var echo = TestUpstream.ParseEcho(text);
        Assert.Equal("/echo/hello", echo.GetProperty("path").GetString());
        Assert.Equal("?x=1", echo.GetProperty("query").GetString());

        // Blocked: a denied API key gets 403 and never reaches the upstream.
        var hits = upstream.Hits;
        using (var denied = new HttpRequestMessage(HttpMethod.Get, "/echo/secret"))
        {
            denied.Headers.TryAddWithoutValidation("X-Api-Key", "stolen-key");
            var response = await client.SendAsync(denied);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }

        Assert.Equal(hits, upstream.Hits);

        // Limited: 3 a minute per address, then 429 with Retry-After and the RateLimit headers.
        for (var i = 0; i < 3; i++)
        {
            var allowed = await client.GetAsync(new Uri("/status/200", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
            if (expectRateLimitOnAllowed)
            {
                Assert.Equal("\"status-ip\";q=3;w=60", allowed.Headers.GetValues("RateLimit-Policy").Single());
            }
        }

        hits = upstream.Hits;
        var limited = await client.GetAsync(new Uri("/status/200", UriKind.Relative));
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.InRange(int.Parse(limited.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture), 1, 60);
        Assert.StartsWith("\"status-ip\";r=0;t=", limited.Headers.GetValues("RateLimit").Single(), StringComparison.Ordinal);
        Assert.Equal("\"status-ip\";q=3;w=60", limited.Headers.GetValues("RateLimit-Policy").Single());
        using var body = JsonDocument.Parse(await limited.Content.ReadAsStringAsync());
        Assert.Equal(429, body.RootElement.GetProperty("status").GetInt32());
        Assert.Equal(hits, upstream.Hits);
    }

    // Requests without a User-Agent score 70 on /echo/challenged/: challenged (60), not blocked (90).
    private static async Task CheckChallengeAsync(int port, TestUpstream upstream)
    {
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false, UseCookies = false, AllowAutoRedirect = false })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{port}"),
        };

        // An API client gets 401 problem+json carrying the challenge.
        var hits = upstream.Hits;
        using (var api = new HttpRequestMessage(HttpMethod.Get, "/echo/challenged/api"))
        {
            api.Headers.Accept.ParseAdd("application/json");
            var response = await client.SendAsync(api);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{response.StatusCode}: {text}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            using var problem = JsonDocument.Parse(text);
            var challenge = problem.RootElement.GetProperty("challenge");
            Assert.Equal(12, challenge.GetProperty("difficulty").GetInt32());
            Assert.Equal("/.bulwark/challenge/verify", challenge.GetProperty("verify_url").GetString());
        }

        // A browser gets the proof-of-work page.
        using var page = new HttpRequestMessage(HttpMethod.Get, "/echo/challenged/page?x=1");
        page.Headers.Accept.ParseAdd("text/html");
        var challenged = await client.SendAsync(page);
        var html = await challenged.Content.ReadAsStringAsync();
        Assert.True(challenged.StatusCode == HttpStatusCode.Unauthorized, $"{challenged.StatusCode}: {html}");
        Assert.Equal("text/html", challenged.Content.Headers.ContentType?.MediaType);
        Assert.Equal(hits, upstream.Hits);
        var challengeText = WebUtility.HtmlDecode(Attribute(html, "data-challenge"));
        var difficulty = int.Parse(Attribute(html, "data-difficulty"), System.Globalization.CultureInfo.InvariantCulture);
        var verifyUrl = WebUtility.HtmlDecode(Attribute(html, "data-verify"));
        Assert.Equal("1", Attribute(html, "data-reload")); // a GET: the page reloads it once solved

        // The verify endpoint is reachable through the front proxy: a wrong nonce is refused, the right one earns the pass.
        using (var wrong = new FormUrlEncodedContent([new("challenge", challengeText), new("nonce", "not-a-solution")]))
        {
            var refused = await client.PostAsync(new Uri(verifyUrl, UriKind.Relative), wrong);
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.False(refused.Headers.Contains("Set-Cookie"));
        }

        using var form = new FormUrlEncodedContent([new("challenge", challengeText), new("nonce", Solve(challengeText, difficulty))]);
        var verified = await client.PostAsync(new Uri(verifyUrl, UriKind.Relative), form);
        var verifiedText = await verified.Content.ReadAsStringAsync();
        Assert.True(verified.StatusCode == HttpStatusCode.OK, $"{verified.StatusCode}: {verifiedText}");
        var cookie = Assert.Single(verified.Headers.GetValues("Set-Cookie")).Split(';')[0];
        Assert.StartsWith("front_pass=", cookie, StringComparison.Ordinal);
        Assert.Equal(hits, upstream.Hits); // the verify call is Bulwark's, not the API's

        // The reload with the pass goes through to the upstream.
        using var again = new HttpRequestMessage(HttpMethod.Get, "/echo/challenged/page?x=1");
        again.Headers.Accept.ParseAdd("text/html");
        again.Headers.Add("Cookie", cookie);
        var passed = await client.SendAsync(again);
        var passedText = await passed.Content.ReadAsStringAsync();
        Assert.True(passed.StatusCode == HttpStatusCode.OK, $"{passed.StatusCode}: {passedText}");
        Assert.Equal("/echo/challenged/page", TestUpstream.ParseEcho(passedText).GetProperty("path").GetString());
        Assert.Equal(hits + 1, upstream.Hits);
    }

    private static string Attribute(string html, string name)
    {
        var start = html.IndexOf(name + "=\"", StringComparison.Ordinal);
        Assert.True(start >= 0, $"{name} missing from the challenge page: {html}");
        start += name.Length + 2;
        return html[start..html.IndexOf('"', start)];
    }

    private static string Solve(string challenge, int difficulty)
    {
        for (var nonce = 0L; ; nonce++)
        {
            var text = nonce.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (Bulwark.Core.Challenges.ChallengeSigner.LeadingZeroBits(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(challenge + text))) >= difficulty)
            {
                return text;
            }
        }
    }

    private static string Ports(string text, params (string From, string To)[] replacements)
    {
        foreach (var (from, to) in replacements)
        {
            Assert.Contains(from, text, StringComparison.Ordinal); // the sample still says what the test replaces
            text = text.Replace(from, to, StringComparison.Ordinal);
        }

        return text;
    }

    private static Process Start(string executable, string[] arguments, IReadOnlyDictionary<string, string>? environment)
    {
        var info = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => Output.Enqueue(e.Data ?? "");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static readonly System.Collections.Concurrent.ConcurrentQueue<string> Output = new();

    private static async Task WaitForPortAsync(int port, Process process, Func<string> log)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(20))
        {
            if (process.HasExited)
            {
                Assert.Fail($"{process.StartInfo.FileName} exited with {process.ExitCode}: {string.Join("\n", Output)}\n{log()}");
            }

            try
            {
                using var tcp = new TcpClient();
                await tcp.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        Assert.Fail($"{process.StartInfo.FileName} did not listen on {port}: {string.Join("\n", Output)}\n{log()}");
    }

    private static void Stop(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
        }
    }
}
