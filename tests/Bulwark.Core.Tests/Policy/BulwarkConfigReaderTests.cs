using Bulwark.Core.Policy;
using Microsoft.Extensions.Configuration;

namespace Bulwark.Core.Tests.Policy;

public sealed class BulwarkConfigReaderTests
{
    [Fact]
    public void Full_config_reads_every_field()
    {
        var o = ConfigJson.AssertValid(BulwarkConfigLoader.LoadJson(ConfigJson.Full));

        Assert.Equal("monitor", o.Mode);
        Assert.Equal(["10.0.0.0/8", "2001:db8::/32", "203.0.113.7"], o.TrustedProxies);
        Assert.Equal(56, o.Ipv6Prefix);
        Assert.Equal("redis", o.State.Store);
        Assert.Equal(50_000, o.State.Memory.MaxEntries);
        Assert.Equal("localhost:6379,ssl=true", o.State.Redis.Connection);
        Assert.Equal("edge:", o.State.Redis.KeyPrefix);
        Assert.Equal(20, o.State.Redis.BudgetMs);
        Assert.Equal(0.25, o.State.Redis.FallbackShare);
        Assert.Equal(0, o.State.Redis.RefusalCacheEntries);
        Assert.Equal(["192.0.2.0/24"], o.Lists.Allow.Cidrs);
        Assert.Equal(["k-allow"], o.Lists.Allow.ApiKeys);
        Assert.Equal(["ops@example.com"], o.Lists.Allow.Accounts);
        Assert.Equal(["198.51.100.9"], o.Lists.Deny.Cidrs);
        Assert.Equal(["k-deny"], o.Lists.Deny.ApiKeys);
        Assert.Equal(["mallory"], o.Lists.Deny.Accounts);
        Assert.Equal("X-Key", o.Identity.ApiKeyHeader);
        Assert.Equal("sid", o.Identity.SessionCookie);
        Assert.Equal("X-Sid", o.Identity.SessionHeader);
        Assert.Equal(["login"], o.Identity.AccountBodyFields);
        Assert.Equal(4096, o.Identity.MaxBodyBytes);
        Assert.Equal(16, o.Privacy.Ipv4MaskBits);
        Assert.Equal(32, o.Privacy.Ipv6MaskBits);
        Assert.Equal("secret", o.Privacy.PseudonymKey);
        Assert.Equal("/var/lib/bulwark/ip.db", o.IpIntel.Database);

        Assert.Equal(2, o.Routes.Count);
        var login = o.Routes[0];
        Assert.Equal("login", login.Name);
        Assert.Equal(["POST"], login.Methods);
        Assert.Equal("/api/login", login.Path);
        Assert.Equal("Login", login.Policy);
        Assert.Equal(1, login.Cost);
        var search = o.Routes[1];
        Assert.Null(search.Name);
        Assert.Empty(search.Methods);
        Assert.Equal("/api/search/{**rest}", search.Path);
        Assert.Equal(5, search.Cost);

        Assert.Equal(2, o.Policies.Count);
        var policy = o.Policies["Login"];
        Assert.Contains("Login", o.Policies.Keys); // the name keeps its case
        Assert.Equal("enforce", policy.Mode);
        Assert.Equal("closed", policy.FailMode);
        Assert.Equal(new ThresholdOptions { Delay = 20, Challenge = 50, Block = 90 }, policy.Thresholds);
        Assert.Equal(new DelayOptions { BaseMs = 100, MaxMs = 2000 }, policy.Delay);
        Assert.Equal(40, policy.Signals["headless_browser"]);
        Assert.Equal(0, policy.Signals["ua_mismatch"]);
        var limit = Assert.Single(policy.Limits);
        Assert.Equal("per-account", limit.Name);
        Assert.Equal("account+ip", limit.Key);
        Assert.Equal("5/min", limit.Rate);
        Assert.Equal(10, limit.Burst);
        Assert.Equal("gcra", limit.Algorithm);
        Assert.Equal("failures", limit.Count);
        Assert.Equal(["401", "4xx"], limit.FailureStatuses);
        Assert.Equal("delay", limit.OnLimit);
        var tier = Assert.Single(limit.Tiers);
        Assert.Equal(new TierOptions { When = "hosting", Rate = "1/min", Burst = 2 }, tier);

        var api = o.Policies["api"];
        Assert.Null(api.Mode);
        Assert.Equal("open", api.FailMode);
        Assert.Equal(new ThresholdOptions(), api.Thresholds);
        Assert.Equal(2, api.Limits.Count);
        Assert.Equal("ip", api.Limits[0].Key);
        Assert.Null(api.Limits[0].Burst);
        Assert.Equal("sliding_window", api.Limits[0].Algorithm);
        Assert.Equal("cost", api.Limits[0].Count);
        Assert.Equal("concurrency", api.Limits[1].Algorithm);
    }

    [Fact]
    public void Empty_section_gives_the_defaults()
    {
        var o = ConfigJson.AssertValid(BulwarkConfigLoader.LoadJson("""{ "Bulwark": {} }"""));
        Assert.Equal(new BulwarkOptions().Mode, o.Mode);
        Assert.Equal(64, o.Ipv6Prefix);
        Assert.Empty(o.Routes);
        Assert.Empty(o.Policies);
    }

    [Fact]
    public void Empty_arrays_and_objects_are_fine()
    {
        var o = ConfigJson.AssertValid(ConfigJson.LoadBody(
            "'TrustedProxies': [], 'Routes': [], 'Policies': { 'p': { 'Limits': [], 'Signals': {} } }, 'Lists': { 'Allow': {} }"));
        Assert.Empty(o.TrustedProxies);
        Assert.Empty(o.Policies["p"].Limits);
    }

    [Fact]
    public void Missing_section_is_an_error()
    {
        var result = BulwarkConfigLoader.LoadJson("""{ "Bulwerk": { "Mode": "monitor" } }""");
        ConfigJson.AssertSingleError(result, "$", "\"Bulwark\" section is missing");
    }

    [Fact]
    public void Three_mistakes_give_exactly_three_errors()
    {
        var result = BulwarkConfigLoader.LoadJson("""
            {
              "Bulwark": {
                "Routes": [
                  { "Path": "/api/**", "Policy": "api" },
                  { "Path": "/login", "Policy": "logn" }
                ],
                "Policies": {
                  "api": { "Limits": [ { "Name": "per-ip", "Rate": "100/mn", "Algoritm": "gcra" } ] },
                  "login": { "Limits": [ { "Name": "per-ip", "Rate": "5/min" } ] }
                }
              }
            }
            """);

        Assert.Null(result.Options);
        Assert.Collection(
            result.Errors,
            e =>
            {
                Assert.Equal("$.Bulwark.Policies.api.Limits[0].Algoritm", e.Path);
                Assert.Contains("unknown key \"Algoritm\"", e.Message, StringComparison.Ordinal);
                Assert.Equal("Did you mean \"Algorithm\"?", e.Hint);
            },
            e =>
            {
                Assert.Equal("$.Bulwark.Routes[1].Policy", e.Path);
                Assert.Contains("\"logn\" is not defined", e.Message, StringComparison.Ordinal);
                Assert.Contains("api, login", e.Hint, StringComparison.Ordinal);
            },
            e =>
            {
                Assert.Equal("$.Bulwark.Policies.api.Limits[0].Rate", e.Path);
                Assert.Contains("unknown period unit 'mn'", e.Message, StringComparison.Ordinal);
                Assert.Equal("Write the rate like \"100/min\".", e.Hint);
            });
    }

    [Theory]
    [InlineData("'Mdoe': 'monitor'", "$.Bulwark.Mdoe", "Mode")]
    [InlineData("'TrustedProxys': []", "$.Bulwark.TrustedProxys", "TrustedProxies")]
    [InlineData("'State': { 'Stor': 'memory' }", "$.Bulwark.State.Stor", "Store")]
    [InlineData("'Policies': { 'p': { 'Limit': [] } }", "$.Bulwark.Policies.p.Limit", "Limits")]
    public void Unknown_key_close_to_a_known_one_is_suggested(string body, string path, string suggestion)
    {
        var error = ConfigJson.AssertSingleError(ConfigJson.LoadBody(body), path, "unknown key");
        Assert.Equal($"Did you mean \"{suggestion}\"?", error.Hint);
    }

    [Fact]
    public void Unknown_key_far_from_any_known_one_lists_the_known_keys()
    {
        var error = ConfigJson.AssertSingleError(ConfigJson.LoadBody("'Zebra': 1"), "$.Bulwark.Zebra", "unknown key \"Zebra\"");
        Assert.Contains("TrustedProxies", error.Hint, StringComparison.Ordinal);
        Assert.DoesNotContain("Did you mean", error.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void Keys_match_case_insensitively_and_values_are_normalised()
    {
        var o = ConfigJson.AssertValid(ConfigJson.LoadBody(
            "'mode': 'Monitor', 'ROUTES': [ { 'path': '/x', 'policy': 'API', 'methods': [ 'get', 'Delete' ] } ], " +
            "'policies': { 'Api': { 'limits': [ { 'name': 'n', 'rate': '1/s', 'algorithm': 'GCRA' } ] } }"));
        Assert.Equal("monitor", o.Mode);
        Assert.Equal(["GET", "DELETE"], o.Routes[0].Methods);
        Assert.Equal("gcra", o.Policies["Api"].Limits[0].Algorithm);
        Assert.Equal("Api", Assert.Single(o.Policies.Keys));
    }

    [Theory]
    [InlineData("'Ipv6Prefix': 'wide'", "$.Bulwark.Ipv6Prefix", "expected a whole number, found \"wide\"")]
    [InlineData("'Ipv6Prefix': 6.5", "$.Bulwark.Ipv6Prefix", "expected a whole number, found \"6.5\"")]
    [InlineData("'Ipv6Prefix': { 'a': 1 }", "$.Bulwark.Ipv6Prefix", "expected a string, found an object")]
    [InlineData("'Mode': [ 'monitor' ]", "$.Bulwark.Mode", "found an array")]
    [InlineData("'TrustedProxies': '10.0.0.0/8'", "$.Bulwark.TrustedProxies", "expected an array of strings, found the value \"10.0.0.0/8\"")]
    [InlineData("'Routes': { 'Path': '/' }", "$.Bulwark.Routes", "expected an array of routes, found an object")]
    [InlineData("'State': 'redis'", "$.Bulwark.State", "expected an object (the state settings)")]
    [InlineData("'Lists': [ { 'Cidrs': [] } ]", "$.Bulwark.Lists", "expected an object (the lists), found an array")]
    [InlineData("'Policies': [ { 'Limits': [] } ]", "$.Bulwark.Policies", "expected an object of policies by name, found an array")]
    [InlineData("'Policies': { 'p': { 'Signals': { 'bot': 'high' } } }", "$.Bulwark.Policies.p.Signals.bot", "expected a whole number")]
    [InlineData("'Policies': { 'p': { 'Limits': [ { 'Name': 'n', 'Rate': '1/s', 'Burst': 'ten' } ] } }", "$.Bulwark.Policies.p.Limits[0].Burst", "\"ten\"")]
    public void Wrong_types_are_errors(string body, string path, string phrase) =>
        ConfigJson.AssertSingleError(ConfigJson.LoadBody(body), path, phrase);

    [Theory]
    [InlineData("'Mode': 'enforced'", "$.Bulwark.Mode", "\"enforced\" is not a valid mode", "Did you mean \"enforce\"?")]
    [InlineData("'State': { 'Redis': { 'FallbackShare': 'half' } }", "$.Bulwark.State.Redis.FallbackShare", "expected a number", "0.5")]
    [InlineData("'State': { 'Store': 'sql' }", "$.Bulwark.State.Store", "\"sql\" is not a valid store", "\"memory\" or \"redis\"")]
    [InlineData("'Policies': { 'p': { 'FailMode': 'shut' } }", "$.Bulwark.Policies.p.FailMode", "not a valid fail mode", "\"open\" or \"closed\"")]
    [InlineData("'Policies': { 'p': { 'Mode': 'watch' } }", "$.Bulwark.Policies.p.Mode", "not a valid mode", "\"enforce\" or \"monitor\"")]
    public void Enumerated_values_are_checked(string body, string path, string phrase, string hint)
    {
        var error = ConfigJson.AssertSingleError(ConfigJson.LoadBody(body), path, phrase);
        Assert.Contains(hint, error.Hint, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("'Algorithm': 'leaky_bucket'", "Algorithm", "algorithm")]
    [InlineData("'Count': 'errors'", "Count", "count")]
    [InlineData("'OnLimit': 'drop'", "OnLimit", "OnLimit action")]
    public void Limit_enumerations_are_checked(string fields, string key, string noun) =>
        ConfigJson.AssertSingleError(ConfigJson.LoadLimit("'Rate': '1/s', " + fields), $"$.Bulwark.Policies.p.Limits[0].{key}", $"is not a valid {noun}");

    [Fact]
    public void Every_error_is_collected()
    {
        var result = ConfigJson.LoadBody("'Mode': 'x', 'Ipv6Prefix': 'y', 'Nope': 1, 'State': { 'Store': 'z' }, 'Privacy': { 'Ipv4MaskBits': 99 }");

        // Reading errors come in key order (IConfiguration sorts keys), then the semantic ones.
        Assert.Equal(
            ["$.Bulwark.Ipv6Prefix", "$.Bulwark.Mode", "$.Bulwark.Nope", "$.Bulwark.State.Store", "$.Bulwark.Privacy.Ipv4MaskBits"],
            result.Errors.Select(e => e.Path));
    }

    [Fact]
    public void Reads_any_configuration_source()
    {
        var root = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Bulwark:Mode"] = "monitor",
                ["Bulwark:Routes:0:Path"] = "/a",
                ["Bulwark:Routes:0:Policy"] = "p",
                ["Bulwark:Routes:1:Path"] = "/b",
                ["Bulwark:Routes:1:Policy"] = "p",
                ["Bulwark:Policies:p:Limits:0:Name"] = "n",
                ["Bulwark:Policies:p:Limits:0:Rate"] = "1/s",
            })
            .Build();

        var o = ConfigJson.AssertValid(BulwarkConfigReader.Read(root));
        Assert.Equal("monitor", o.Mode);
        Assert.Equal(["/a", "/b"], o.Routes.Select(r => r.Path));
    }

    [Fact]
    public void Error_to_string_is_one_line()
    {
        var error = new ConfigError("$.Bulwark.Mode", "\"x\" is not a valid mode", "Use \"enforce\" or \"monitor\".");
        Assert.Equal("$.Bulwark.Mode: \"x\" is not a valid mode. Use \"enforce\" or \"monitor\".", error.ToString());
    }
}
