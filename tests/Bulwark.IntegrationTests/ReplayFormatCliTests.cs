using System.Diagnostics;

namespace Bulwark.IntegrationTests;

/// <summary><c>bulwark replay --format</c> as a user runs it: nginx logs on standard input, a bad format name.</summary>
public sealed class ReplayFormatCliTests
{

    [Fact]
    public async Task Nginx_combined_log_on_standard_input_gives_decision_records_and_reports_bad_lines()
    {
        var log = string.Join('\n', Enumerable.Range(0, 12).Select(i =>
            $$"""203.0.113.5 - - [21/Nov/2026:10:00:{{i:00}} +0000] "POST /api/auth/login HTTP/1.1" 401 53 "-" "curl/8.4.0" """.TrimEnd()))
            + "\n203.0.113.5 - - [21/Nov/2026:10:00:30 +0000] \"-\" 400 0 \"-\" \"-\"\n";
        var (exitCode, stdout, stderr) = await BulwarkCli.RunWithInputAsync(log, "replay", "--format", "nginx", "--input", "-", "--decisions", "-");
        Assert.True(exitCode == 0, stderr);
        var decisions = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(12, decisions.Length);
        Assert.Contains("\"action\":\"block\"", decisions[^1], StringComparison.Ordinal);
        Assert.Contains("line 13", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_format_is_bad_usage()
    {
        var (exitCode, _, stderr) = await BulwarkCli.RunWithInputAsync(null, "replay", "--format", "apache", "--input", "-");
        Assert.Equal(2, exitCode);
        Assert.Contains("apache", stderr, StringComparison.Ordinal);
    }
}
