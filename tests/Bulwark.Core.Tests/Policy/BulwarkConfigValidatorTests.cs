using Bulwark.Core.Policy;

namespace Bulwark.Core.Tests.Policy;

public sealed class BulwarkConfigValidatorTests
{
    private const string P = "$.Bulwark.Policies.p";
    private const string L = "$.Bulwark.Policies.p.Limits[0]";

    [Theory]
    [InlineData("'TrustedProxies': [ '10.0.0.0/8', 'nope' ]", "$.Bulwark.TrustedProxies[1]", "\"nope\" is not an address or CIDR network")]
    [InlineData("'TrustedProxies': [ '10.0.0.1/8' ]", "$.Bulwark.TrustedProxies[0]", "bits set beyond the /8 prefix")]
    [InlineData("'TrustedProxies': [ '10.0.0.0/33' ]", "$.Bulwark.TrustedProxies[0]", "prefix length must be 0 to 32")]
    [InlineData("'TrustedProxies': [ '10' ]", "$.Bulwark.TrustedProxies[0]", "not an address")]
    [InlineData("'Lists': { 'Allow': { 'Cidrs': [ '300.1.1.1' ] } }", "$.Bulwark.Lists.Allow.Cidrs[0]", "\"300.1.1.1\"")]
    [InlineData("'Lists': { 'Deny': { 'Cidrs': [ '2001:db8::/129' ] } }", "$.Bulwark.Lists.Deny.Cidrs[0]", "0 to 128")]
    [InlineData("'Ipv6Prefix': 0", "$.Bulwark.Ipv6Prefix", "IPv6 prefix 0 is out of range")]
    [InlineData("'Ipv6Prefix': 129", "$.Bulwark.Ipv6Prefix", "IPv6 prefix 129 is out of range")]
    [InlineData("'Privacy': { 'Ipv4MaskBits': 33 }", "$.Bulwark.Privacy.Ipv4MaskBits", "Ipv4MaskBits 33 is out of range")]
    [InlineData("'Privacy': { 'Ipv6MaskBits': -1 }", "$.Bulwark.Privacy.Ipv6MaskBits", "Ipv6MaskBits -1 is out of range")]
    [InlineData("'State': { 'Store': 'redis' }", "$.Bulwark.State.Redis.Connection", "no Redis connection")]
    [InlineData("'State': { 'Store': 'redis', 'Redis': { 'Connection': 'localhost:0' } }", "$.Bulwark.State.Redis.Connection", "has no valid port")]
    [InlineData("'State': { 'Store': 'redis', 'Redis': { 'Connection': 'localhost:6379,db=2' } }", "$.Bulwark.State.Redis.Connection", "\"db\" is not known")]
    [InlineData("'State': { 'Redis': { 'KeyPrefix': '{bulwark}:' } }", "$.Bulwark.State.Redis.KeyPrefix", "contains '{' or '}'")]
    [InlineData("'State': { 'Redis': { 'BudgetMs': 0 } }", "$.Bulwark.State.Redis.BudgetMs", "BudgetMs 0 is out of range")]
    [InlineData("'State': { 'Redis': { 'FallbackShare': 1.5 } }", "$.Bulwark.State.Redis.FallbackShare", "FallbackShare 1.5 is out of range")]
    [InlineData("'State': { 'Redis': { 'FallbackShare': 0 } }", "$.Bulwark.State.Redis.FallbackShare", "FallbackShare 0 is out of range")]
    [InlineData("'State': { 'Redis': { 'RefusalCacheEntries': -1 } }", "$.Bulwark.State.Redis.RefusalCacheEntries", "RefusalCacheEntries -1 is out of range")]
    [InlineData("'State': { 'Memory': { 'MaxEntries': 999 } }", "$.Bulwark.State.Memory.MaxEntries", "MaxEntries 999 is too small")]
    [InlineData("'Identity': { 'MaxBodyBytes': 1048577 }", "$.Bulwark.Identity.MaxBodyBytes", "MaxBodyBytes 1048577 is out of range")]
    [InlineData("'Identity': { 'MaxBodyBytes': -1 }", "$.Bulwark.Identity.MaxBodyBytes", "out of range")]
    public void Global_settings_are_checked(string body, string path, string phrase) =>
        ConfigJson.AssertSingleError(ConfigJson.LoadBody(body), path, phrase);

    [Theory]
    [InlineData("'Rate': 'lots'", L + ".Rate", "'lots' is not a rate")]
    [InlineData("'Rate': ''", L + ".Rate", "a rate is required")]
    [InlineData("'Rate': '1/s', 'Burst': 0", L + ".Burst", "Burst 0 is below 1")]
    [InlineData("'Rate': '1/s', 'Burst': 5, 'Algorithm': 'sliding_window'", L + ".Burst", "only to token_bucket and gcra")]
    [InlineData("'Rate': '1/s', 'OnLimit': 'delay', 'Algorithm': 'fixed_window'", L + ".OnLimit", "needs a token_bucket or gcra limit")]
    [InlineData("'Rate': '1/s', 'Count': 'failures', 'FailureStatuses': []", L + ".FailureStatuses", "no failure statuses")]
    [InlineData("'Rate': '1/s', 'Count': 'failures', 'FailureStatuses': [ '401', '600' ]", L + ".FailureStatuses[1]", "\"600\" is not a status code")]
    [InlineData("'Rate': '1/s', 'Count': 'failures', 'FailureStatuses': [ '6xx' ]", L + ".FailureStatuses[0]", "\"6xx\"")]
    [InlineData("'Rate': '1/s', 'Count': 'failures', 'FailureStatuses': [ '4x1' ]", L + ".FailureStatuses[0]", "\"4x1\"")]
    [InlineData("'Rate': '1/s', 'Count': 'failures', 'Algorithm': 'concurrency'", L + ".Count", "concurrency limit cannot count failures")]
    [InlineData("'Rate': '1/s', 'Key': 'ipp'", L + ".Key", "'ipp' is not a key part")]
    [InlineData("'Rate': '1/s', 'Key': 'header:'", L + ".Key", "needs a name")]
    [InlineData("'Rate': '1/s', 'Tiers': [ { 'Rate': '1/min' } ]", L + ".Tiers[0].When", "no When")]
    [InlineData("'Rate': '1/s', 'Tiers': [ { 'When': 'high', 'Rate': '1/fortnight' } ]", L + ".Tiers[0].Rate", "unknown period unit")]
    [InlineData("'Rate': '1/s', 'Tiers': [ { 'When': 'high', 'Rate': '1/s', 'Burst': 0 } ]", L + ".Tiers[0].Burst", "below 1")]
    [InlineData("'Rate': '1/s', 'Algorithm': 'fixed_window', 'Tiers': [ { 'When': 'high', 'Rate': '1/s', 'Burst': 3 } ]", L + ".Tiers[0].Burst", "only to token_bucket")]
    public void Limits_are_checked(string fields, string path, string phrase) =>
        ConfigJson.AssertSingleError(ConfigJson.LoadLimit(fields), path, phrase);

    [Theory]
    [InlineData("'Rate': '0/min'")]
    [InlineData("'Rate': '5/10min', 'Burst': 1, 'Algorithm': 'gcra', 'OnLimit': 'delay'")]
    [InlineData("'Rate': '5/min', 'Count': 'failures', 'FailureStatuses': [ '401', '4xx', '5XX', '100', '599' ]")]
    [InlineData("'Rate': '10/s', 'Algorithm': 'concurrency', 'Tiers': [ { 'When': 'high', 'Rate': '2/s' } ]")]
    [InlineData("'Rate': '1/s', 'Key': 'account+ip'")]
    public void Valid_limits_pass(string fields) => ConfigJson.AssertValid(ConfigJson.LoadLimit(fields));

    [Fact]
    public void Limit_names_are_required_and_unique()
    {
        var result = ConfigJson.LoadBody(
            "'Policies': { 'p': { 'Limits': [ { 'Name': 'a', 'Rate': '1/s' }, { 'Name': 'A', 'Rate': '1/s' }, { 'Rate': '1/s' } ] } }");
        Assert.Collection(
            result.Errors,
            e =>
            {
                Assert.Equal(P + ".Limits[1].Name", e.Path);
                Assert.Contains("\"A\" is used twice", e.Message, StringComparison.Ordinal);
            },
            e =>
            {
                Assert.Equal(P + ".Limits[2].Name", e.Path);
                Assert.Contains("no name", e.Message, StringComparison.Ordinal);
            });
    }

    [Theory]
    [InlineData("'Thresholds': { 'Delay': 101 }", P + ".Thresholds.Delay", "Delay threshold 101 is out of range")]
    [InlineData("'Thresholds': { 'Block': -5 }", P + ".Thresholds.Block", "out of range")]
    [InlineData("'Thresholds': { 'Delay': 30, 'Challenge': 30 }", P + ".Thresholds.Challenge", "Challenge threshold 30 is not above Delay threshold 30")]
    [InlineData("'Thresholds': { 'Delay': 0, 'Challenge': 90, 'Block': 80 }", P + ".Thresholds.Block", "Block threshold 80 is not above Challenge threshold 90")]
    [InlineData("'Thresholds': { 'Delay': 50, 'Challenge': 0, 'Block': 40 }", P + ".Thresholds.Block", "not above Delay threshold 50")]
    [InlineData("'Delay': { 'BaseMs': -1, 'MaxMs': 10 }", P + ".Delay.BaseMs", "BaseMs -1 is negative")]
    [InlineData("'Delay': { 'BaseMs': 200, 'MaxMs': 100 }", P + ".Delay.MaxMs", "MaxMs 100 is below BaseMs 200")]
    [InlineData("'Signals': { 'bot': 101 }", P + ".Signals.bot", "signal weight 101 is out of range")]
    [InlineData("'Signals': { 'bot': -1 }", P + ".Signals.bot", "out of range")]
    public void Policies_are_checked(string fields, string path, string phrase) =>
        ConfigJson.AssertSingleError(ConfigJson.LoadBody("'Policies': { 'p': { " + fields + " } }"), path, phrase);

    [Theory]
    [InlineData("'Thresholds': { 'Delay': 0, 'Challenge': 0, 'Block': 100 }")]
    [InlineData("'Thresholds': { 'Delay': 10, 'Challenge': 0, 'Block': 0 }")]
    [InlineData("'Delay': { 'BaseMs': 0, 'MaxMs': 0 }")]
    [InlineData("'Signals': { 'bot': 0, 'ua': 100 }")]
    public void Valid_policies_pass(string fields) =>
        ConfigJson.AssertValid(ConfigJson.LoadBody("'Policies': { 'p': { " + fields + " } }"));

    [Theory]
    [InlineData("'Path': 'api/x'", ".Path", "does not start with '/'")]
    [InlineData("'Path': ''", ".Path", "does not start with '/'")]
    [InlineData("'Path': '/a/**/b'", ".Path", "must be the last segment")]
    [InlineData("'Path': '/a/{**rest}/b'", ".Path", "must be the last segment")]
    [InlineData("'Path': '/a/x**'", ".Path", "mixes '**'")]
    [InlineData("'Path': '/a/{id'", ".Path", "not balanced")]
    [InlineData("'Path': '/a/id}'", ".Path", "not balanced")]
    [InlineData("'Path': '/a/{}'", ".Path", "not balanced")]
    [InlineData("'Path': '/', 'Methods': [ 'GET', 'GE T' ]", ".Methods[1]", "\"GE T\" is not an HTTP method")]
    [InlineData("'Path': '/', 'Cost': 0", ".Cost", "Cost 0 is below 1")]
    public void Routes_are_checked(string fields, string suffix, string phrase) =>
        ConfigJson.AssertSingleError(
            ConfigJson.LoadBody("'Routes': [ { 'Policy': 'p', " + fields + " } ], 'Policies': { 'p': {} }"),
            "$.Bulwark.Routes[0]" + suffix,
            phrase);

    [Fact]
    public void Route_to_an_undefined_policy_lists_the_defined_ones()
    {
        var error = ConfigJson.AssertSingleError(
            ConfigJson.LoadBody("'Routes': [ { 'Path': '/', 'Policy': 'logn' } ], 'Policies': { 'login': {}, 'api': {} }"),
            "$.Bulwark.Routes[0].Policy",
            "policy \"logn\" is not defined");
        Assert.Contains("api, login", error.Hint, StringComparison.Ordinal);
        Assert.Contains("Did you mean \"login\"?", error.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void Route_without_policy_is_an_error()
    {
        ConfigJson.AssertSingleError(ConfigJson.LoadBody("'Routes': [ { 'Path': '/' } ]"), "$.Bulwark.Routes[0].Policy", "names no policy");
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/api/products/{id}")]
    [InlineData("/files/*/meta")]
    [InlineData("/static/**")]
    [InlineData("/api/{**rest}")]
    public void Valid_route_paths_pass(string path) =>
        ConfigJson.AssertValid(ConfigJson.LoadBody("'Routes': [ { 'Policy': 'p', 'Path': '" + path + "' } ], 'Policies': { 'p': {} }"));

    [Fact]
    public void Validates_options_built_in_code()
    {
        var options = new BulwarkOptions
        {
            Mode = "loud",
            Routes = [new RouteOptions { Path = "/", Policy = "p" }],
            Policies = new Dictionary<string, PolicyOptions>
            {
                ["p"] = new() { Limits = [new LimitOptions { Name = "n", Rate = "1/s", Algorithm = "leaky" }] },
            },
        };

        var errors = BulwarkConfigValidator.Validate(options);
        Assert.Equal(["$.Bulwark.Mode", L + ".Algorithm"], errors.Select(e => e.Path));
        Assert.Empty(BulwarkConfigValidator.Validate(new BulwarkOptions()));
    }
}
