using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Bulwark.Tests.Shared;

namespace Bulwark.IntegrationTests;

/// <summary>The built <c>bulwark</c> command, run as a process as a user runs it.</summary>
public sealed partial class CliTests
{

    [Fact]
    public async Task Config_check_lists_all_three_mistakes_with_their_json_paths_and_exits_2()
    {
        var file = Path.Combine(Path.GetTempPath(), $"bulwark-check-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, """
            {
              "Bulwark": {
                "Mode": "enforce",
                "Routes": [ { "Path": "/api/auth/login", "Policy": "logn" } ],
                "Policies": {
                  "login": {
                    "Limits": [ { "Name": "login-ip", "Key": "ip", "Rate": "ten per minute" } ],
                    "Treshold": 5
                  }
                }
              }
            }
            """);
        try
        {
            var (exitCode, _, stderr) = await BulwarkCli.RunAsync("config", "check", file);
            Assert.Equal(2, exitCode);
            Assert.Contains("$.Bulwark.Routes[0].Policy", stderr, StringComparison.Ordinal);
            Assert.Contains("$.Bulwark.Policies.login.Limits[0].Rate", stderr, StringComparison.Ordinal);
            Assert.Contains("$.Bulwark.Policies.login.Treshold", stderr, StringComparison.Ordinal);
            Assert.Contains("3 errors", stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Config_check_accepts_the_shipped_default_policy()
    {
        var sample = Path.Combine(AppContext.BaseDirectory, "samples", "bulwark.json");
        var (exitCode, stdout, stderr) = await BulwarkCli.RunAsync("config", "check", sample);
        Assert.True(exitCode == 0, stderr);
        Assert.StartsWith("OK", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replay_reads_standard_input_writes_decisions_and_exits_2_when_nothing_is_usable()
    {
        var records = Enumerable.Range(0, 7).Select(i =>
            $$"""{"ts":"2026-11-21T10:00:0{{i}}Z","ip":"203.0.113.5","method":"POST","path":"/api/auth/login","body":{"username":"x"},"status":401,"label":"attack:brute_force"}""");
        var (replayExit, stdout, replayErrors) = await BulwarkCli.RunWithInputAsync(string.Join('\n', records) + "\nnot json\n", "replay", "--input", "-", "--decisions", "-");
        Assert.True(replayExit == 0, replayErrors);
        var decisions = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(7, decisions.Length);
        // The login preset challenges the account after 3 failures; the per-address limit refuses the 6th, and the 7th
        // (a token later) is challenged again.
        Assert.Contains("\"action\":\"block\"", decisions[5], StringComparison.Ordinal);
        Assert.Contains("\"action\":\"challenge\"", decisions[^1], StringComparison.Ordinal);
        Assert.Contains("line 8", replayErrors, StringComparison.Ordinal);
        Assert.Contains("attack:brute_force", replayErrors, StringComparison.Ordinal);

        var empty = Path.Combine(Path.GetTempPath(), $"bulwark-empty-{Guid.NewGuid():N}.jsonl");
        await File.WriteAllTextAsync(empty, "garbage\n");
        try
        {
            var (exitCode, _, stderr) = await BulwarkCli.RunAsync("replay", "--input", empty);
            Assert.Equal(2, exitCode);
            Assert.Contains("no usable record", stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(empty);
        }
    }

    [Fact]
    public async Task Simulate_refuses_an_unknown_scenario_and_missing_data_with_exit_2()
    {
        var (exitCode, _, stderr) = await BulwarkCli.RunAsync("simulate", "--scenario", "nope");
        Assert.Equal(2, exitCode);
        Assert.Contains("unknown scenario 'nope'", stderr, StringComparison.Ordinal);
        Assert.Contains("brute-force", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_usage_exits_2()
    {
        var (exitCode, _, stderr) = await BulwarkCli.RunAsync("serve", "--no-such-option");
        Assert.Equal(2, exitCode);
        Assert.Contains("--no-such-option", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_on_a_port_in_use_says_so_in_one_line_and_exits_1()
    {
        using var taken = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var (exitCode, stdout, stderr) = await BulwarkCli.RunAsync("serve", "--urls", $"http://127.0.0.1:{port}");
        Assert.Equal(1, exitCode);
        Assert.Contains($"bulwark serve: cannot listen on http://127.0.0.1:{port}", stderr, StringComparison.Ordinal);
        Assert.Contains("address already in use. Pass --urls", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stdout + stderr, StringComparison.Ordinal); // no stack trace
    }

    [Fact]
    public async Task Serve_runs_the_demo_prints_where_and_stops_cleanly_on_ctrl_c()
    {
        using var process = BulwarkCli.Start("serve", "--urls", "http://127.0.0.1:0");
        try
        {
            var url = await ReadUrlAsync(process);
            using var client = new HttpClient { BaseAddress = new Uri(url) };
            var response = await client.GetAsync(new Uri("/api/products/7", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.True(response.Headers.Contains("RateLimit"));

            // Ctrl-C is SIGINT.
            using (var kill = Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            using var exitTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await process.WaitForExitAsync(exitTimeout.Token);
            Assert.Equal(0, process.ExitCode);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    // The runtime's switch is only observable from outside: with inline completions .NET runs one socket event thread per
    // core (".NET Sockets" in /proc), without them one for up to 30 cores. DOTNET_PROCESSOR_COUNT=3 makes the two differ
    // on any machine.
    [Theory]
    [InlineData(null, null, 3)]
    [InlineData(false, null, 1)]
    [InlineData(true, "0", 1)]
    [InlineData(false, "1", 3)]
    public async Task Serve_runs_socket_completions_inline_unless_the_config_or_the_operator_says_otherwise(bool? configured, string? variable, int eventThreads)
    {
        Assert.True(OperatingSystem.IsLinux(), "reads the process's threads from /proc");
        var directory = Directory.CreateTempSubdirectory("bulwark-inline-");
        try
        {
            var server = configured is { } on ? $", \"Server\": {{ \"InlineSocketCompletions\": {(on ? "true" : "false")} }}" : "";
            var config = Path.Combine(directory.FullName, "bulwark.json");
            await File.WriteAllTextAsync(config, $$"""{ "Bulwark": { "Gateway": { "DecisionEndpoint": true{{server}} } } }""");
            var environment = new Dictionary<string, string?> { ["DOTNET_PROCESSOR_COUNT"] = "3", ["DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS"] = variable };
            using var process = BulwarkCli.Start(environment, "serve", "--config", config, "--urls", "http://127.0.0.1:0");
            try
            {
                var url = await ReadUrlAsync(process);
                using var client = new HttpClient();
                using var health = await client.GetAsync(new Uri(url + "/.bulwark/health"));
                Assert.Equal(HttpStatusCode.OK, health.StatusCode);
                var names = ProcessThreads.Names(process.Id.ToString(CultureInfo.InvariantCulture));
                Assert.Equal(eventThreads, names.Count(name => name == ".NET Sockets"));
            }
            finally
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static async Task<string> ReadUrlAsync(Process process)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            var line = await process.StandardOutput.ReadLineAsync(timeout.Token)
                ?? throw new InvalidOperationException("serve exited: " + await process.StandardError.ReadToEndAsync(timeout.Token));
            var match = UrlPattern().Match(line);
            if (match.Success)
            {
                return match.Value;
            }
        }
    }

    [GeneratedRegex(@"http://127\.0\.0\.1:\d+")]
    private static partial Regex UrlPattern();
}
