using Bulwark.Core.Policy;
using Bulwark.Core.Tests.Policy;

namespace Bulwark.Core.Tests.Protections;

public sealed class ProtectionConfigTests
{
    private const string P = "$.Bulwark.Policies.p";

    private static ConfigLoadResult Load(string policy, string route = "") =>
        ConfigJson.LoadBody("'Routes': [ { 'Path': '/', 'Policy': 'p'" + route + " } ], 'Policies': { 'p': { " + policy + " } }");

    [Theory]
    [InlineData("'Login': { 'AccountFailures': 'five per hour' }", P + ".Login.AccountFailures", "is not a rate")]
    [InlineData("'Login': { 'IpAttempts': '100/fortnight' }", P + ".Login.IpAttempts", "unknown period unit")]
    [InlineData("'Login': { 'IpAttemptsCount': 'successes' }", P + ".Login.IpAttemptsCount", "\"successes\" is not a valid attempt count")]
    [InlineData("'Login': { 'IpAttemptsKey': 'account' }", P + ".Login.IpAttemptsKey", "does not include the client address")]
    [InlineData("'Login': { 'IpAttemptsKey': 'ip+device' }", P + ".Login.IpAttemptsKey", "'device' is not a key part")]
    [InlineData("'Login': { 'DelayAfterFailures': -1 }", P + ".Login.DelayAfterFailures", "-1 is out of range")]
    [InlineData("'Login': { 'MaxDelaySeconds': 0 }", P + ".Login.MaxDelaySeconds", "0 is out of range")]
    [InlineData("'Login': { 'ChallengeAfterFailures': -3 }", P + ".Login.ChallengeAfterFailures", "out of range")]
    [InlineData("'Login': { 'LockoutAfterFailures': -1 }", P + ".Login.LockoutAfterFailures", "out of range")]
    [InlineData("'Login': { 'LockoutMinutes': 0 }", P + ".Login.LockoutMinutes", "out of range")]
    [InlineData("'Login': { 'LockoutWindowHours': 1000 }", P + ".Login.LockoutWindowHours", "out of range")]
    [InlineData("'Login': { 'FailureStatuses': [ '401', '200' ] }", P + ".Login.FailureStatuses[1]", "\"200\" is not a failure status")]
    [InlineData("'Login': { 'FailureStatuses': [] }", P + ".Login.FailureStatuses", "no failure statuses")]
    [InlineData("'Login': { 'OutcomeHeader': 'Bulwark Login' }", P + ".Login.OutcomeHeader", "is not a header name")]
    [InlineData("'Login': { 'LockoutBan': 'sometimes' }", P + ".Login.LockoutBan", "expected true or false")]
    [InlineData("'Login': { 'Lockout': 10 }", P + ".Login.Lockout", "unknown key \"Lockout\" in the login preset")]
    [InlineData("'Login': 5", P + ".Login", "expected an object (the login preset)")]
    [InlineData("'Otp': { 'Kind': 'pigeon' }", P + ".Otp.Kind", "\"pigeon\" is not a valid destination kind")]
    [InlineData("'Otp': { 'Field': '' }", P + ".Otp.Field", "no destination field")]
    [InlineData("'Otp': { 'PerDestination': '3 an hour' }", P + ".Otp.PerDestination", "is not a rate")]
    [InlineData("'Otp': { 'PrefixDigits': 0 }", P + ".Otp.PrefixDigits", "out of range")]
    [InlineData("'Otp': { 'DefaultCountryCode': '0044' }", P + ".Otp.DefaultCountryCode", "not a country calling code")]
    [InlineData("'Otp': { 'PerPhone': '3/h' }", P + ".Otp.PerPhone", "unknown key")]
    [InlineData("'Budget': { 'ApiKeyPerHourUsd': -1 }", P + ".Budget.ApiKeyPerHourUsd", "budget -1 is out of range")]
    [InlineData("'Budget': { 'ActorPerDayUsd': 'ten dollars' }", P + ".Budget.ActorPerDayUsd", "expected an amount in dollars")]
    [InlineData("'Budget': { 'ActorPerDayUsd': 0.0000001 }", P + ".Budget.ActorPerDayUsd", "below a micro-dollar")]
    [InlineData("'Budget': { 'PerKeyHourUsd': 1 }", P + ".Budget.PerKeyHourUsd", "unknown key")]
    [InlineData("'Login': {}, 'Limits': [ { 'Name': 'login-lock', 'Rate': '1/s' } ]", P + ".Limits[0].Name", "reserved for the Login, Otp and Budget presets")]
    public void Preset_errors_name_their_json_path(string policy, string path, string phrase) =>
        ConfigJson.AssertSingleError(Load(policy), path, phrase);

    [Theory]
    [InlineData(", 'CostUsd': -0.05", "$.Bulwark.Routes[0].CostUsd", "cost -0.05 is out of range")]
    [InlineData(", 'CostUsd': 'five cents'", "$.Bulwark.Routes[0].CostUsd", "expected an amount in dollars")]
    public void Route_costs_are_checked(string route, string path, string phrase) =>
        ConfigJson.AssertSingleError(Load("'Limits': []", route), path, phrase);

    [Fact]
    public void Unknown_preset_keys_get_a_suggestion()
    {
        var error = ConfigJson.AssertSingleError(Load("'Login': { 'AcountFailures': '5/h' }"), P + ".Login.AcountFailures", "unknown key");
        Assert.Contains("AccountFailures", error.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void Presets_read_every_key()
    {
        var options = ConfigJson.AssertValid(Load("""
            'Login': { 'AccountFailures': '4/30min', 'IpAttempts': '', 'IpAttemptsCount': 'all', 'IpAttemptsKey': 'ip+fingerprint', 'DelayAfterFailures': 2, 'MaxDelaySeconds': 10,
                       'ChallengeAfterFailures': 0, 'LockoutAfterFailures': 6, 'LockoutMinutes': 15, 'LockoutWindowHours': 12,
                       'LockoutBan': true, 'FailureStatuses': [ '400', '4xx' ], 'OutcomeHeader': 'X-Login' },
            'Otp': { 'Field': 'to', 'Kind': 'email', 'PerDestination': '1/min', 'PerIp': '', 'PerPrefix': '9/h', 'PrefixDigits': 3,
                     'DefaultCountryCode': '+49', 'Global': '100/min' },
            'Budget': { 'ApiKeyPerHourUsd': 1.5, 'ApiKeyPerDayUsd': 10, 'ActorPerHourUsd': 0.25, 'ActorPerDayUsd': 2 }
            """, ", 'CostUsd': 0.0125"));
        var policy = options.Policies["p"];
        Assert.Equal(new Core.Protections.LoginOptions
        {
            AccountFailures = "4/30min", IpAttempts = "", IpAttemptsCount = "all", IpAttemptsKey = "ip+fingerprint", DelayAfterFailures = 2, MaxDelaySeconds = 10, ChallengeAfterFailures = 0,
            LockoutAfterFailures = 6, LockoutMinutes = 15, LockoutWindowHours = 12, LockoutBan = true, FailureStatuses = policy.Login!.FailureStatuses,
            OutcomeHeader = "X-Login",
        }, policy.Login);
        Assert.Equal(["400", "4xx"], policy.Login.FailureStatuses);
        Assert.Equal(new Core.Protections.OtpOptions
        {
            Field = "to", Kind = "email", PerDestination = "1/min", PerIp = "", PerPrefix = "9/h", PrefixDigits = 3, DefaultCountryCode = "49", Global = "100/min",
        }, policy.Otp);
        Assert.Equal(new Core.Protections.BudgetOptions { ApiKeyPerHourUsd = 1.5m, ApiKeyPerDayUsd = 10m, ActorPerHourUsd = 0.25m, ActorPerDayUsd = 2m }, policy.Budget);
        Assert.Equal(0.0125m, options.Routes[0].CostUsd);

        var compiled = CompiledConfiguration.Compile(options);
        Assert.Equal(
            ["login-failures-account", "login-lockout-account", "login-lock", "otp-destination", "otp-prefix", "otp-global", "budget-key-hour", "budget-key-day", "budget-actor-hour", "budget-actor-day"],
            compiled.Policies["p"].Limits.Select(l => l.Name));
        Assert.Equal(["to"], compiled.Policies["p"].BodyFields);
        Assert.Equal(0.0125m, compiled.Routes[0].CostUsd);
    }

    [Fact]
    public void The_sample_policy_uses_the_presets()
    {
        var loaded = BulwarkConfigLoader.LoadFile(Path.Combine(RepoRoot(), "samples", "bulwark.json"), includeEnvironment: false);
        var options = ConfigJson.AssertValid(loaded);
        Assert.NotNull(options.Policies["login"].Login);
        Assert.NotNull(options.Policies["otp"].Otp);
        Assert.NotNull(options.Policies["inference"].Budget);
        Assert.Equal(0.05m, options.Routes.Single(r => r.Path == "/api/inference").CostUsd);
    }

    private static string RepoRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "samples", "bulwark.json")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("samples/bulwark.json not found above " + AppContext.BaseDirectory);
    }
}
