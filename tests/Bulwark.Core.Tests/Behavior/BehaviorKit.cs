using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Bulwark.Core.Decisions;
using Bulwark.Core.Fingerprints;
using Bulwark.Core.Tests.Data;

namespace Bulwark.Core.Tests.Behavior;

/// <summary>
/// Traffic for behaviour tests: browsers with real User-Agents (npm <c>user-agents</c>) and real browser JA4s (the JA4
/// fixtures), log-normal think times, and request helpers on an explicit clock.
/// </summary>
internal static class BehaviorKit
{
    public const string UserAgentsFile = "npm:user-agents:dist/user-agents.json";
    public const string Ja4File = "shared:ja4/clienthellos.jsonl";

    /// <summary>Chrome's JA4 as captured in the FoxIO fixtures (42 streams).</summary>
    public const string ChromeJa4 = "t13d1516h2_8daaf6152771_e5627efa2ab1";

    /// <summary>Firefox's JA4 as captured in the FoxIO fixtures (the mozilla stream).</summary>
    public const string FirefoxJa4 = "t13d1715h2_5b57614c22b0_3d5424432f57";

    public static DateTimeOffset Start => Engine.EngineFixture.T0;

    private static readonly Lazy<string[]> BrowserAgents = new(LoadAgents);

    private static readonly Lazy<string[]> ChromeOnly = new(() => Agents.Where(a => a.Contains("Chrome/", StringComparison.Ordinal)
        && !a.Contains("Edg/", StringComparison.Ordinal) && !a.Contains("OPR/", StringComparison.Ordinal)).ToArray());

    /// <summary>Real desktop and mobile browser User-Agents from the npm list.</summary>
    public static string[] Agents => BrowserAgents.Value;

    /// <summary>The Chrome User-Agents of the npm list.</summary>
    public static string[] ChromeAgents => ChromeOnly.Value;

    /// <summary>A library client's JA4 from the fixtures (a TLS 1.3 hello without ALPN).</summary>
    public const string LibraryJa4 = "t13d151400_8daaf6152771_de4a06bb82e3";

    /// <summary>A browser's JA4 for its User-Agent, checked against the fixtures file (null for Safari: no capture).</summary>
    public static string? Ja4For(string userAgent)
    {
        if (userAgent.Contains("Firefox/", StringComparison.Ordinal))
        {
            return FirefoxJa4;
        }

        return userAgent.Contains("Chrome/", StringComparison.Ordinal) || userAgent.Contains("CriOS/", StringComparison.Ordinal) ? ChromeJa4 : null;
    }

    /// <summary>Asserts the two browser JA4s used here are real captures in the fixture file.</summary>
    public static void AssertFixturesHoldBrowserJa4s()
    {
        var text = File.ReadAllText(DataFactAttribute.Resolve(Ja4File));
        Assert.Contains(ChromeJa4, text, StringComparison.Ordinal);
        Assert.Contains(FirefoxJa4, text, StringComparison.Ordinal);
    }

    /// <summary>A think time in seconds: log-normal with median <paramref name="medianSeconds"/> and shape <paramref name="sigma"/>.</summary>
    public static double ThinkSeconds(Random random, double medianSeconds = 6, double sigma = 0.9)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        var normal = Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        return Math.Max(0.3, medianSeconds * Math.Exp(sigma * normal));
    }

    /// <summary>The headers a browser sends, in its order.</summary>
    public static HeaderList BrowserHeaders(string userAgent) => userAgent.Contains("Firefox/", StringComparison.Ordinal)
        ? HeaderList.From(("host", "shop.example"), ("user-agent", userAgent), ("accept", "application/json"), ("accept-language", "en-US,en;q=0.5"),
            ("accept-encoding", "gzip, deflate, br"), ("referer", "https://shop.example/"), ("sec-fetch-dest", "empty"), ("sec-fetch-mode", "cors"), ("sec-fetch-site", "same-origin"))
        : HeaderList.From(("host", "shop.example"), ("sec-ch-ua", "\"Chromium\";v=\"131\""), ("sec-ch-ua-mobile", "?0"), ("user-agent", userAgent), ("accept", "application/json"),
            ("sec-fetch-site", "same-origin"), ("sec-fetch-mode", "cors"), ("sec-fetch-dest", "empty"), ("referer", "https://shop.example/"), ("accept-encoding", "gzip, deflate, br, zstd"),
            ("accept-language", "en-US,en;q=0.9"));

    /// <summary>The headers python-requests sends, in its order, with a User-Agent of the caller's choice.</summary>
    public static HeaderList PythonRequestsHeaders(string userAgent) =>
        HeaderList.From(("host", "shop.example"), ("user-agent", userAgent), ("accept-encoding", "gzip, deflate"), ("accept", "*/*"), ("connection", "keep-alive"));

    public static RequestContext Browser(
        string method, string path, string ip, DateTimeOffset at, string userAgent, string? session = null, string? account = null,
        string? apiKey = null, string? body = null) => new()
        {
            Timestamp = at,
            ClientIp = IPAddress.Parse(ip),
            Method = method,
            Path = path,
            Headers = BrowserHeaders(userAgent),
            Tls = Ja4For(userAgent) is { } ja4 ? new TlsFingerprints(ja4, null) : null,
            Session = session,
            Account = account,
            ApiKey = apiKey,
            Body = body is null ? null : JsonDocument.Parse(body).RootElement.Clone(),
        };

    public static RequestContext Script(
        string method, string path, string ip, DateTimeOffset at, string ja4, string userAgent = "python-requests/2.32.3",
        string? account = null, string? apiKey = null, string? body = null) => new()
        {
            Timestamp = at,
            ClientIp = IPAddress.Parse(ip),
            Method = method,
            Path = path,
            Headers = PythonRequestsHeaders(userAgent),
            Tls = new TlsFingerprints(ja4, null),
            Account = account,
            ApiKey = apiKey,
            Body = body is null ? null : JsonDocument.Parse(body).RootElement.Clone(),
        };

    /// <summary>Decides and feeds back <paramref name="status"/>, as a front door does.</summary>
    public static Decision Run(BulwarkEngine engine, RequestContext request, int status = 200)
    {
        var task = engine.Decide(request);
        Assert.True(task.IsCompletedSuccessfully, "an in-memory decision completes synchronously");
        var decision = task.Result;
        var upstream = decision.Action is DecisionAction.Allow or DecisionAction.Delay || !decision.Enforced ? status : decision.StatusCode;
        engine.Feedback(decision, request, upstream, TimeSpan.FromMilliseconds(5)).AsTask().GetAwaiter().GetResult();
        return decision;
    }

    public static bool Has(Decision decision, string signal) => decision.Reasons.Any(r => r.Signal == signal);

    /// <summary>
    /// The JA4 of the python3-requests installed here: starts python3 against a loopback listener, reads its ClientHello
    /// and fingerprints it. Null (with the reason) when python3 or requests is missing.
    /// </summary>
    public static string? CapturePythonRequestsJa4(out string? why)
    {
        why = null;
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        Process? python;
        try
        {
            python = Process.Start(new ProcessStartInfo("python3")
            {
                ArgumentList = { "-c", $"import requests\ntry:\n  requests.get('https://127.0.0.1:{port}/', timeout=5)\nexcept requests.exceptions.RequestException:\n  pass" },
                RedirectStandardError = true,
                UseShellExecute = false,
            });
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            why = "python3 is not installed: " + exception.Message;
            return null;
        }

        using (python)
        {
            var accept = listener.AcceptTcpClientAsync();
            if (!accept.Wait(TimeSpan.FromSeconds(20)))
            {
                python!.WaitForExit(5000);
                why = "python3 requests did not connect: " + python.StandardError.ReadToEnd();
                return null;
            }

            using var client = accept.Result;
            var stream = client.GetStream();
            stream.ReadTimeout = 10_000;
            var header = new byte[5];
            stream.ReadExactly(header);
            var record = new byte[5 + ((header[3] << 8) | header[4])];
            header.CopyTo(record, 0);
            stream.ReadExactly(record, 5, record.Length - 5);
            client.Close();
            python!.WaitForExit(10_000);
            Assert.True(ClientHelloParser.TryParse(record, out var hello, out var error), error);
            return Ja4Fingerprint.Compute(hello);
        }
    }

    private static string[] LoadAgents()
    {
        using var stream = File.OpenRead(DataFactAttribute.Resolve(UserAgentsFile));
        using var document = JsonDocument.Parse(stream);
        return document.RootElement.EnumerateArray()
            .Select(e => e.GetProperty("userAgent").GetString()!)
            .Where(ua => ua.StartsWith("Mozilla/", StringComparison.Ordinal))
            .Distinct()
            .ToArray();
    }
}
