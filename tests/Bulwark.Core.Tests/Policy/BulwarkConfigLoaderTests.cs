using Bulwark.Core.Policy;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;

namespace Bulwark.Core.Tests.Policy;

public sealed class BulwarkConfigLoaderTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("bulwark-config-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(string name, string json)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public void Loads_a_valid_file()
    {
        var path = Write("bulwark.json", ConfigJson.Full);
        var result = BulwarkConfigLoader.LoadFile(path, includeEnvironment: false);
        var options = ConfigJson.AssertValid(result);
        Assert.Equal(path, result.Source);
        Assert.Equal("monitor", options.Mode);
    }

    [Fact]
    public void Missing_file_is_one_error_naming_it()
    {
        var path = Path.Combine(_directory, "absent.json");
        var result = BulwarkConfigLoader.LoadFile(path);
        var error = ConfigJson.AssertSingleError(result, "$", "does not exist");
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_syntax_error_names_the_file_and_line()
    {
        var path = Write("broken.json", "{\n  \"Bulwark\": {\n    \"Mode\": \"monitor\"\n    \"Ipv6Prefix\": 64\n  }\n}\n");
        var error = ConfigJson.AssertSingleError(BulwarkConfigLoader.LoadFile(path, includeEnvironment: false), "$", "is not valid JSON at line 4");
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("LineNumber", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_syntax_error_in_a_string_document()
    {
        ConfigJson.AssertSingleError(BulwarkConfigLoader.LoadJson("{ \"Bulwark\": { ]"), "$", "\"<json>\" is not valid JSON at line 1");
    }

    [Fact]
    public void Duplicate_keys_are_an_error()
    {
        ConfigJson.AssertSingleError(BulwarkConfigLoader.LoadJson("""{ "Bulwark": { "Mode": "enforce", "mode": "monitor" } }"""), "$", "cannot be read");
    }

    [Fact]
    public void Top_level_array_is_an_error()
    {
        ConfigJson.AssertSingleError(BulwarkConfigLoader.LoadJson("[]"), "$", "cannot be read");
    }

    [Fact]
    public void Later_sources_override_the_file()
    {
        var path = Write("bulwark.json", ConfigJson.Minimal);
        var overrides = new MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?>
            {
                ["Bulwark:Mode"] = "monitor",
                ["Bulwark:Policies:api:Limits:0:Rate"] = "10/s",
            },
        };

        var options = ConfigJson.AssertValid(BulwarkConfigLoader.LoadFile(path, includeEnvironment: false, [overrides]));
        Assert.Equal("monitor", options.Mode);
        Assert.Equal("10/s", options.Policies["api"].Limits[0].Rate);
        Assert.Equal("per-ip", options.Policies["api"].Limits[0].Name);
    }

    [Fact]
    public void Overrides_are_validated_with_their_path()
    {
        var path = Write("bulwark.json", ConfigJson.Minimal);
        var overrides = new MemoryConfigurationSource { InitialData = new Dictionary<string, string?> { ["Bulwark:Mode"] = "loud" } };
        ConfigJson.AssertSingleError(BulwarkConfigLoader.LoadFile(path, includeEnvironment: false, [overrides]), "$.Bulwark.Mode", "\"loud\"");
    }

    [Fact]
    public void Environment_variables_override_the_file()
    {
        // The one test that touches the process environment: a key no other test's configuration reads.
        var path = Write("bulwark.json", ConfigJson.Minimal);
        const string Variable = "Bulwark__IpIntel__Database";
        Environment.SetEnvironmentVariable(Variable, "/tmp/loader-test.db");
        try
        {
            Assert.Equal("/tmp/loader-test.db", ConfigJson.AssertValid(BulwarkConfigLoader.LoadFile(path)).IpIntel.Database);
            Assert.Null(ConfigJson.AssertValid(BulwarkConfigLoader.LoadFile(path, includeEnvironment: false)).IpIntel.Database);
        }
        finally
        {
            Environment.SetEnvironmentVariable(Variable, null);
        }
    }
}
