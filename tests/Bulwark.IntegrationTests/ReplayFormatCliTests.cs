using System.Diagnostics;

namespace Bulwark.IntegrationTests;

/// <summary><c>bulwark replay --format</c> as a user runs it: nginx logs on standard input, a bad format name.</summary>
public sealed class ReplayFormatCliTests
{
    private static readonly string CliDll = Path.Combine(AppContext.BaseDirectory, "bulwark.dll");

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string? stdin, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(CliDll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    [Fact]
    public async Task Nginx_combined_log_on_standard_input_gives_decision_records_and_reports_bad_lines()
    {
        var log = string.Join('\n', Enumerable.Range(0, 12).Select(i =>
            $$"""203.0.113.5 - - [21/Nov/2026:10:00:{{i:00}} +0000] "POST /api/auth/login HTTP/1.1" 401 53 "-" "curl/8.4.0" """.TrimEnd()))
            + "\n203.0.113.5 - - [21/Nov/2026:10:00:30 +0000] \"-\" 400 0 \"-\" \"-\"\n";
        var (exitCode, stdout, stderr) = await RunAsync(log, "replay", "--format", "nginx", "--input", "-", "--decisions", "-");
        Assert.True(exitCode == 0, stderr);
        var decisions = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(12, decisions.Length);
        Assert.Contains("\"action\":\"block\"", decisions[^1], StringComparison.Ordinal);
        Assert.Contains("line 13", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_format_is_bad_usage()
    {
        var (exitCode, _, stderr) = await RunAsync(null, "replay", "--format", "apache", "--input", "-");
        Assert.Equal(2, exitCode);
        Assert.Contains("apache", stderr, StringComparison.Ordinal);
    }
}
