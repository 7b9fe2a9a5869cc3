using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Bulwark.IntegrationTests.Identity;

/// <summary>
/// Debian's Firefox ESR, headless, with a fresh profile, driven over Marionette (Firefox's own remote protocol, built in:
/// no geckodriver, and Playwright's Firefox is a patched build, not Debian's). The session accepts the test host's
/// self-signed certificate (<c>acceptInsecureCerts</c>), which acts when the certificate is checked, after the ClientHello,
/// so the handshake is Firefox's own. A fresh profile and process per instance: no TLS session to resume.
/// </summary>
internal sealed class FirefoxMarionette : IAsyncDisposable
{
    /// <summary>The program Debian installs (package firefox-esr).</summary>
    public const string Program = "firefox-esr";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);
    private readonly Process _process;
    private readonly string _profile;
    private readonly TcpClient _socket;
    private readonly NetworkStream _stream;
    private int _nextId;

    private FirefoxMarionette(Process process, string profile, TcpClient socket)
    {
        _process = process;
        _profile = profile;
        _socket = socket;
        _stream = socket.GetStream();
    }

    /// <summary>Firefox's version, from the session capabilities (<c>browserVersion</c>).</summary>
    public string Version { get; private set; } = "";

    /// <summary>Starts Firefox and opens a Marionette session that accepts any certificate.</summary>
    public static async Task<FirefoxMarionette> StartAsync()
    {
        var profile = Directory.CreateTempSubdirectory("bulwark-firefox-").FullName;

        // marionette.port 0: Firefox picks a free port and writes it to MarionetteActivePort in the profile (parallel runs
        // cannot collide). The rest keeps a test browser off the network; the Marionette agent itself turns off telemetry,
        // updates, safe browsing and the other background services when it starts. Nothing here touches TLS settings.
        await File.WriteAllLinesAsync(Path.Combine(profile, "user.js"),
        [
            "user_pref(\"marionette.port\", 0);",
            "user_pref(\"network.proxy.type\", 0);",
            "user_pref(\"browser.shell.checkDefaultBrowser\", false);",
            "user_pref(\"browser.startup.page\", 0);",
            "user_pref(\"browser.startup.homepage_override.mstone\", \"ignore\");",
            "user_pref(\"datareporting.policy.dataSubmissionEnabled\", false);",
            "user_pref(\"network.captive-portal-service.enabled\", false);",
            "user_pref(\"network.connectivity-service.enabled\", false);",
        ]);

        var info = new ProcessStartInfo(Tools.Find(Program) ?? Program)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[] { "--headless", "--no-remote", "--new-instance", "--profile", profile, "--marionette", "about:blank" })
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["MOZ_HEADLESS"] = "1";
        var process = Process.Start(info)!;
        var log = new StringBuilder();
        _ = Drain(process.StandardOutput, log);
        _ = Drain(process.StandardError, log);
        try
        {
            var port = await WaitForPortAsync(process, profile, log);
            var socket = new TcpClient();
            await socket.ConnectAsync(IPAddress.Loopback, port);
            var firefox = new FirefoxMarionette(process, profile, socket);
            var greeting = await firefox.ReadPacketAsync();
            if (greeting["marionetteProtocol"]?.GetValue<int>() != 3)
            {
                throw new InvalidOperationException($"Marionette greeting not understood: {greeting.ToJsonString()}");
            }

            // The flat form: Marionette reads the capabilities from the parameters themselves.
            var session = await firefox.CommandAsync("WebDriver:NewSession", new JsonObject { ["acceptInsecureCerts"] = true });
            firefox.Version = session["capabilities"]?["browserVersion"]?.GetValue<string>() ?? "";
            return firefox;
        }
        catch
        {
            Stop(process, profile);
            throw;
        }
    }

    /// <summary>The browser's own User-Agent (<c>navigator.userAgent</c>).</summary>
    public async Task<string> UserAgentAsync()
    {
        var result = await CommandAsync("WebDriver:ExecuteScript", new JsonObject { ["script"] = "return navigator.userAgent;", ["args"] = new JsonArray() });
        return result["value"]?.GetValue<string>() ?? throw new InvalidOperationException("no navigator.userAgent");
    }

    /// <summary>Loads <paramref name="url"/> in the tab and waits for the page load to finish.</summary>
    public Task NavigateAsync(string url) => CommandAsync("WebDriver:Navigate", new JsonObject { ["url"] = url });

    public async ValueTask DisposeAsync()
    {
        try
        {
            using var quick = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await CommandAsync("Marionette:Quit", new JsonObject { ["flags"] = new JsonArray("eForceQuit") }).WaitAsync(quick.Token);
            await _process.WaitForExitAsync(quick.Token);
        }
        catch (Exception exception) when (exception is IOException or OperationCanceledException or InvalidOperationException or SocketException)
        {
            // Killed below.
        }

        _stream.Dispose();
        _socket.Dispose();
        Stop(_process, _profile);
    }

    private static void Stop(Process process, string profile)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
        }

        process.Dispose();
        try
        {
            Directory.Delete(profile, recursive: true);
        }
        catch (IOException)
        {
            // A content process still closing a file: the temporary directory is left behind.
        }
    }

    private static async Task<int> WaitForPortAsync(Process process, string profile, StringBuilder log)
    {
        var file = Path.Combine(profile, "MarionetteActivePort");
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < StartTimeout)
        {
            if (File.Exists(file) && int.TryParse((await File.ReadAllTextAsync(file)).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port > 0)
            {
                return port;
            }

            if (process.HasExited)
            {
                throw new InvalidOperationException($"{Program} exited with code {process.ExitCode} before Marionette listened: {Tail(log)}");
            }

            await Task.Delay(200);
        }

        throw new InvalidOperationException($"{Program}: Marionette did not listen within {StartTimeout.TotalSeconds} s: {Tail(log)}");
    }

    private static string Tail(StringBuilder log)
    {
        lock (log)
        {
            var text = log.ToString();
            return text.Length > 2000 ? text[^2000..] : text;
        }
    }

    private static async Task Drain(StreamReader reader, StringBuilder log)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            lock (log)
            {
                log.AppendLine(line);
            }
        }
    }

    /// <summary>Sends <c>[0, id, name, parameters]</c> and returns the result of the matching <c>[1, id, error, result]</c>.</summary>
    private async Task<JsonNode> CommandAsync(string name, JsonObject parameters)
    {
        var id = ++_nextId;
        var body = Encoding.UTF8.GetBytes(new JsonArray(0, id, name, parameters).ToJsonString());
        await _stream.WriteAsync(Encoding.ASCII.GetBytes(body.Length.ToString(CultureInfo.InvariantCulture) + ":"));
        await _stream.WriteAsync(body);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        while (true)
        {
            var reply = await ReadPacketAsync().WaitAsync(timeout.Token);
            if (reply is JsonArray { Count: 4 } message && message[0]?.GetValue<int>() == 1 && message[1]?.GetValue<int>() == id)
            {
                if (message[2] is JsonObject error)
                {
                    throw new InvalidOperationException($"Marionette {name}: {error["error"]}: {error["message"]}");
                }

                return message[3] ?? new JsonObject();
            }
        }
    }

    /// <summary>Reads one <c>LENGTH:JSON</c> packet.</summary>
    private async Task<JsonNode> ReadPacketAsync()
    {
        var length = 0;
        var one = new byte[1];
        while (true)
        {
            await _stream.ReadExactlyAsync(one);
            if (one[0] == (byte)':')
            {
                break;
            }

            if (one[0] is < (byte)'0' or > (byte)'9' || length > 100_000_000)
            {
                throw new InvalidOperationException("Marionette sent a malformed packet length");
            }

            length = (length * 10) + (one[0] - '0');
        }

        var body = new byte[length];
        await _stream.ReadExactlyAsync(body);
        return JsonNode.Parse(body) ?? throw new InvalidOperationException("Marionette sent null");
    }
}
