using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Bulwark.Gateway.Tests.Samples;

/// <summary>
/// Debian's nginx and Caddy, configured from samples/nginx-auth-request.conf and samples/Caddyfile (only the ports
/// replaced), in front of a real upstream, asking a real gateway's decision endpoint: allowed requests pass, blocked ones
/// get 403, limited ones 429 with Retry-After.
/// </summary>
public sealed class ProxyFrontTests
{
    private const string GatewayConfig = """
        { "Bulwark": {
            "TrustedProxies": [ "127.0.0.1/32", "::1/128" ],
            "Lists": { "Deny": { "ApiKeys": [ "stolen-key" ] } },
            "Routes": [ { "Name": "limited", "Path": "/status/**", "Policy": "limited" }, { "Name": "rest", "Path": "/**", "Policy": "open" } ],
            "Policies": { "limited": { "Limits": [ { "Name": "status-ip", "Key": "ip", "Rate": "3/min" } ] }, "open": { } }
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
