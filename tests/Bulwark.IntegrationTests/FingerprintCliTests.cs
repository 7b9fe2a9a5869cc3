using System.Diagnostics;
using System.Text.Json;

namespace Bulwark.IntegrationTests;

/// <summary><c>bulwark fingerprint</c> run as a process (CONTRACTS.md §1).</summary>
public sealed class FingerprintCliTests
{
    // The first ClientHello of FoxIO-LLC/ja4 pcap/socks-https-example.pcap (an old TLS 1.0 client, SNI only), with the
    // reference JA4 of FoxIO's implementation and tshark's JA3.
    private const string Tls10Hello =
        "16030100730100006f0301529cbff829e8f23edf4bb09e1feaadd0131b7bc56eab3d7567b17e0374bd6b7500002e00390038003500160013000a"
        + "00330032002f009a00990096000500040015001200090014001100080006000300ff0100001800000014001200000f7777772e6578616d706c652e636f6d";


    private static string[] Lines(string stdout) => stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    [Fact]
    public async Task A_valid_and_a_truncated_record_give_two_lines_the_second_an_error_and_exit_0()
    {
        var (exitCode, stdout, stderr) = await BulwarkCli.RunWithInputAsync(null, "fingerprint", Tls10Hello, Tls10Hello[..60]);

        Assert.True(exitCode == 0, stderr);
        var lines = Lines(stdout);
        Assert.Equal(2, lines.Length);

        using (var first = JsonDocument.Parse(lines[0]))
        {
            var root = first.RootElement;
            Assert.Equal(["ja3", "ja3_full", "ja4", "ja4_r", "ja4_o", "family"], root.EnumerateObject().Select(p => p.Name));
            Assert.Equal("06a92bf69b367389d2feb0d70501ddfe", root.GetProperty("ja3").GetString());
            Assert.Equal("769,57-56-53-22-19-10-51-50-47-154-153-150-5-4-21-18-9-20-17-8-6-3-255,0,,", root.GetProperty("ja3_full").GetString());
            Assert.Equal("t10d230100_6a57a6f57151_000000000000", root.GetProperty("ja4").GetString());
            Assert.Equal("t10d230100_ce175d585f73_000000000000", root.GetProperty("ja4_o").GetString());
            Assert.Equal(JsonValueKind.Null, root.GetProperty("family").ValueKind);
        }

        using var second = JsonDocument.Parse(lines[1]);
        Assert.Equal(["error"], second.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Contains("truncated record", second.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    // BULWARK_JA4_SHA256 picks where JA4's SHA-256 comes from; the fingerprints never change, a typo is named on stderr.
    [Theory]
    [InlineData("dotnet", false)]
    [InlineData(" DotNet ", false)]
    [InlineData("libcrypto", false)]
    [InlineData("openssl", true)]
    public async Task The_ja4_hashing_switch_gives_the_same_fingerprints_and_names_an_unknown_value(string value, bool warns)
    {
        var (_, reference, _) = await BulwarkCli.RunWithInputAsync(null, "fingerprint", Tls10Hello);
        var (exitCode, stdout, stderr) = await BulwarkCli.RunAsync(new Dictionary<string, string?> { ["BULWARK_JA4_SHA256"] = value }, null, "fingerprint", Tls10Hello);

        Assert.True(exitCode == 0, stderr);
        Assert.Contains("t10d230100_6a57a6f57151_000000000000", stdout, StringComparison.Ordinal);
        Assert.Equal(reference, stdout);
        if (warns)
        {
            Assert.Contains("bulwark: warning: BULWARK_JA4_SHA256='openssl' is neither 'libcrypto' nor 'dotnet'", stderr, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal("", stderr);
        }
    }

    [Fact]
    public async Task Standard_input_gives_one_line_per_record_and_skips_blank_lines()
    {
        var (exitCode, stdout, stderr) = await BulwarkCli.RunWithInputAsync($"{Tls10Hello}\n\nnot-hex\n", "fingerprint", "--input", "-");

        Assert.True(exitCode == 0, stderr);
        var lines = Lines(stdout);
        Assert.Equal(2, lines.Length);
        Assert.Contains("t10d230100_6a57a6f57151_000000000000", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("{\"error\":\"stdin line 3: ", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_records_and_a_missing_file_are_usage_errors()
    {
        var (noInput, _, noInputError) = await BulwarkCli.RunWithInputAsync(null, "fingerprint");
        Assert.Equal(2, noInput);
        Assert.Contains("--input", noInputError, StringComparison.Ordinal);

        var missing = Path.Combine(Path.GetTempPath(), $"bulwark-missing-{Guid.NewGuid():N}.txt");
        var (missingFile, _, missingError) = await BulwarkCli.RunWithInputAsync(null, "fingerprint", "--input", missing);
        Assert.Equal(2, missingFile);
        Assert.Contains(missing, missingError, StringComparison.Ordinal);
    }
}
