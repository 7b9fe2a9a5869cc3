using System.Net;
using System.Text.Json;
using Bulwark.Core;
using Bulwark.Core.Decisions;
using Bulwark.Core.Policy;

namespace Bulwark.Redis.Tests.Limits;

/// <summary>The login, OTP and budget presets through a real redis-server: two gateways share lockouts and allowances.</summary>
public sealed class SharedProtectionTests : IClassFixture<RedisServerFixture>
{
    private const string Policy = """
        { "Bulwark": {
          "Routes": [
            { "Methods": ["POST"], "Path": "/login", "Policy": "login" },
            { "Methods": ["POST"], "Path": "/otp", "Policy": "otp" },
            { "Methods": ["POST"], "Path": "/inference", "Policy": "inference", "CostUsd": 0.05 } ],
          "Policies": {
            "login": { "Login": { "ChallengeAfterFailures": 0, "DelayAfterFailures": 0, "LockoutAfterFailures": 4, "LockoutMinutes": 60 } },
            "otp": { "Otp": { "PerDestination": "3/h", "PerIp": "" } },
            "inference": { "Budget": { "ApiKeyPerDayUsd": 0.20 } } } } }
        """;

    private static readonly DateTimeOffset T0 = new(new DateTime(TestStores.Now, DateTimeKind.Utc).AddHours(10));
    private readonly RedisServerFixture _fixture;

    public SharedProtectionTests(RedisServerFixture fixture) => _fixture = fixture;

    private static RequestContext Request(string path, DateTimeOffset at, string ip, string? account = null, string? body = null, string? apiKey = null) => new()
    {
        Timestamp = at,
        ClientIp = IPAddress.Parse(ip),
        Method = "POST",
        Path = path,
        Account = account,
        ApiKey = apiKey,
        Body = body is null ? null : JsonDocument.Parse(body).RootElement.Clone(),
        Headers = HeaderList.From(("user-agent", "tests/1.0")),
    };

    private (BulwarkEngine A, BulwarkEngine B, IAsyncDisposable[] Stores) TwoGateways()
    {
        var loaded = BulwarkConfigLoader.LoadJson(Policy);
        Assert.True(loaded.Options is not null, string.Join("\n", loaded.Errors));
        var prefix = $"t{Guid.NewGuid():N}:";
        var storeA = TestStores.Create(_fixture.Server, prefix);
        var storeB = TestStores.Create(_fixture.Server, prefix);
        return (new BulwarkEngine(loaded.Options!, storeA, detectors: []), new BulwarkEngine(loaded.Options!, storeB, detectors: []), [storeA, storeB]);
    }

    [RedisFact]
    public async Task Failures_on_one_gateway_lock_the_account_on_the_other()
    {
        var (a, b, stores) = TwoGateways();
        try
        {
            for (var i = 0; i < 4; i++)
            {
                var gateway = i % 2 == 0 ? a : b;
                var request = Request("/login", T0.AddSeconds(i), $"203.0.113.{i + 1}", account: "alice@example.com");
                var decision = await gateway.Decide(request);
                Assert.Equal(DecisionAction.Allow, decision.Action);
                await gateway.Feedback(decision, request, 401, TimeSpan.FromMilliseconds(10));
            }

            foreach (var gateway in new[] { a, b })
            {
                var locked = await gateway.Decide(Request("/login", T0.AddSeconds(10), "198.51.100.1", account: "Alice@Example.com"));
                Assert.Equal(ReasonCodes.LoginLocked, locked.ReasonCode);
                Assert.Equal(TimeSpan.FromSeconds(3594), locked.RetryAfter); // locked at T0 + 3 s + 10 ms for an hour
            }

            Assert.Equal(DecisionAction.Allow, (await b.Decide(Request("/login", T0.AddSeconds(3).AddMinutes(61), "198.51.100.1", account: "alice@example.com"))).Action);
        }
        finally
        {
            foreach (var store in stores)
            {
                await store.DisposeAsync();
            }
        }
    }

    [RedisFact]
    public async Task Otp_destinations_and_budgets_are_counted_once_across_gateways()
    {
        var (a, b, stores) = TwoGateways();
        try
        {
            string[] spellings = ["+1 (555) 555-0123", "001 555 555 0123", "15555550123", "+1.555.555.0123"];
            var otp = new List<DecisionAction>();
            for (var i = 0; i < spellings.Length; i++)
            {
                otp.Add((await (i % 2 == 0 ? a : b).Decide(Request("/otp", T0.AddSeconds(i), $"203.0.113.{i + 1}", body: $$"""{"phone":"{{spellings[i]}}"}"""))).Action);
            }

            Assert.Equal([DecisionAction.Allow, DecisionAction.Allow, DecisionAction.Allow, DecisionAction.Block], otp);

            var spent = new List<decimal>();
            for (var i = 0; i < 6; i++)
            {
                spent.Add((await (i % 2 == 0 ? a : b).Decide(Request("/inference", T0.AddMinutes(i), "203.0.113.9", apiKey: "k1"))).SavedUsd);
            }

            // $0.20 a day at $0.05 a call: four calls across both gateways, then refusals that save $0.05 each.
            Assert.Equal([0m, 0m, 0m, 0m, 0.05m, 0.05m], spent);
        }
        finally
        {
            foreach (var store in stores)
            {
                await store.DisposeAsync();
            }
        }
    }
}
