using Bulwark.Core.Policy;

namespace Bulwark.Core.Tests.Policy;

public sealed class ConfigCheckTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("bulwark-check-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(string json)
    {
        var path = Path.Combine(_directory, "bulwark.json");
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public void Valid_file_prints_ok_and_returns_0()
    {
        var path = Write(ConfigJson.Full);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        Assert.Equal(0, ConfigCheck.Run(path, stdout, stderr));
        Assert.Equal($"OK: {path}: 2 routes, 2 policies, 3 limits" + Environment.NewLine, stdout.ToString());
        Assert.Empty(stderr.ToString());
    }

    [Fact]
    public void Invalid_file_prints_each_error_and_a_count_and_returns_2()
    {
        var path = Write("""{ "Bulwark": { "Mode": "loud", "Ipv6Prefix": 0, "Extra": true } }""");
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        Assert.Equal(2, ConfigCheck.Run(path, stdout, stderr));
        Assert.Empty(stdout.ToString());
        var lines = stderr.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.StartsWith($"{path}: $.Bulwark.Extra: unknown key \"Extra\"", lines[0], StringComparison.Ordinal);
        Assert.StartsWith($"{path}: $.Bulwark.Mode: \"loud\" is not a valid mode. Use \"enforce\" or \"monitor\".", lines[1], StringComparison.Ordinal);
        Assert.StartsWith($"{path}: $.Bulwark.Ipv6Prefix: IPv6 prefix 0 is out of range. Use", lines[2], StringComparison.Ordinal);
        Assert.Equal("3 errors", lines[3]);
    }

    [Fact]
    public void Missing_file_is_one_error()
    {
        var path = Path.Combine(_directory, "nope.json");
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        Assert.Equal(2, ConfigCheck.Run(path, stdout, stderr));
        var lines = stderr.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith($"{path}: $: configuration file", lines[0], StringComparison.Ordinal);
        Assert.Equal("1 error", lines[1]);
    }
}
