using Bulwark.Core.Decisions;
using Bulwark.Core.Limits;
using Bulwark.Core.Pipeline;
using Bulwark.Core.Policy;
using static Bulwark.Core.Tests.Engine.EngineFixture;

namespace Bulwark.Core.Tests.Limits;

/// <summary>
/// On the in-memory store the engine hashes a counter key from the characters it writes on the stack and never makes the
/// key a string. The hash must be the hash of the key's text (what a string-keyed caller or store would use), and the
/// text must stay what it was: the Redis store names its keys after it.
/// </summary>
public sealed class HashedKeyTests
{
    private static readonly string LongAccount = " " + new string('X', 150) + "@Example.com ";

    private static IEnumerable<(string Key, RequestContext Request)> Cases()
    {
        var browser = Request(ip: "203.0.113.7", account: "  Alice@Example.COM ", apiKey: "key-1", ja4: "t13d1516h2_8daaf6152771_e5627efa2ab1",
            body: """{"phone":"+44 7700 900123","n":42}""");
        foreach (var key in new[]
        {
            "ip", "subnet", "subnet:16", "subnet:32", "asn", "api_key", "account", "fingerprint", "route", "global",
            "body:phone", "body:n", "body:missing", "header:user-agent", "header:x-missing", "account+ip", "ip+subnet:8+route",
        })
        {
            yield return (key, browser);
        }

        yield return ("ip", Request(ip: "2001:db8:7:1:2:3:4:5"));
        yield return ("subnet", Request(ip: "2001:db8:7:1:2:3:4:5"));
        yield return ("account", Request(account: LongAccount));
        yield return ("account", Request(account: "   "));
        yield return ("account", Request(account: "ÉLODIE@Exemple.fr"));
        yield return ("account", Request());
        yield return ("header:user-agent", Request(userAgent: new string('u', 500)));
    }

    private static (CompiledLimit Limit, EvaluationContext Context) Compile(string key)
    {
        var options = Options($$"""
            { "Routes": [ { "Path": "/api/{thing}", "Policy": "p" } ],
              "Policies": { "p": { "Limits": [ { "Name": "k", "Key": "{{key}}", "Rate": "2/min" } ] } } }
            """);
        var policy = CompiledConfiguration.Compile(options).Policies["p"];
        return (policy.Limits[0], new EvaluationContext(policy, "/api/{thing}") { Asn = 64500 });
    }

    [Fact]
    public void A_key_hashed_from_the_stack_equals_the_hash_of_its_text()
    {
        var checkedKeys = 0;
        foreach (var (key, request) in Cases())
        {
            var (limit, context) = Compile(key);
            var built = LimitKeyBuilder.TryBuild(limit, request, context, 64, out var text);
            var hashed = LimitKeyBuilder.TryHash(limit, request, context, 64, new char[LimitKeyBuilder.BufferLength], out var hash);
            Assert.Equal(built, hashed);
            if (built)
            {
                Assert.Equal(CounterKeyHash.Of(text), hash);
                Assert.Equal(CounterKeyHash.Of(text), CounterKeyHash.Of(text.AsSpan()));
                checkedKeys++;
            }
            else
            {
                Assert.Equal(0UL, hash);
            }
        }

        Assert.True(checkedKeys >= 20, $"only {checkedKeys} keys were built");
    }

    [Theory]
    [InlineData("ip", "p/k|203.0.113.7")]
    [InlineData("subnet", "p/k|203.0.113.0/24")]
    [InlineData("subnet:16", "p/k|203.0.0.0/16")]
    [InlineData("account", "p/k|alice@example.com")]
    [InlineData("account+ip", "p/k|alice@example.com|203.0.113.7")]
    [InlineData("asn", "p/k|64500")]
    [InlineData("route", "p/k|/api/{thing}")]
    [InlineData("body:phone", "p/k|+44 7700 900123")]
    [InlineData("global", "p/k|*")]
    public void Key_text_is_unchanged(string key, string expected)
    {
        var (limit, context) = Compile(key);
        var request = Request(ip: "203.0.113.7", account: "  Alice@Example.COM ", body: """{"phone":"+44 7700 900123"}""");
        Assert.True(LimitKeyBuilder.TryBuild(limit, request, context, 64, out var text));
        Assert.Equal(expected, text);
    }

    [Fact]
    public void Ipv6_subnet_and_long_account_keep_their_text()
    {
        var (subnet, context) = Compile("subnet");
        Assert.True(LimitKeyBuilder.TryBuild(subnet, Request(ip: "2001:db8:7:1:2:3:4:5"), context, 64, out var subnetText));
        Assert.Equal("p/k|2001:db8:7::/48", subnetText);

        // An IPv4 client as a dual-mode socket reports it: the same subnet and address keys as the plain IPv4 address.
        Assert.True(LimitKeyBuilder.TryBuild(subnet, Request(ip: "::ffff:203.0.113.9"), context, 64, out var mappedText));
        Assert.Equal("p/k|203.0.113.0/24", mappedText);
        var (ip, ipContext) = Compile("ip");
        Assert.True(LimitKeyBuilder.TryBuild(ip, Request(ip: "::ffff:203.0.113.9"), ipContext, 64, out var mappedIp));
        Assert.True(LimitKeyBuilder.TryBuild(ip, Request(ip: "203.0.113.9"), ipContext, 64, out var plainIp));
        Assert.Equal(plainIp, mappedIp);

        // A value over 96 characters becomes '#' and the FNV-1a hash of its trimmed, lower-cased text.
        var (account, accountContext) = Compile("account");
        Assert.True(LimitKeyBuilder.TryBuild(account, Request(account: LongAccount), accountContext, 64, out var accountText));
        var fnv = 14695981039346656037UL;
        foreach (var c in LongAccount.Trim().ToLowerInvariant())
        {
            fnv = (fnv ^ c) * 1099511628211UL;
        }

        Assert.Equal("p/k|#" + fnv.ToString("x16", System.Globalization.CultureInfo.InvariantCulture), accountText);
    }

    [Fact]
    public async Task The_engine_counts_on_the_in_memory_store_under_the_hash_of_the_key_text()
    {
        var store = new InMemoryCounterStore(1_000);
        var engine = NewEngine("""
            { "Routes": [ { "Path": "/api/**", "Policy": "p" } ],
              "Policies": { "p": { "Limits": [ { "Name": "k", "Key": "account", "Rate": "5/min", "Algorithm": "sliding_window" } ] } } }
            """, store);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(DecisionAction.Allow, (await engine.Decide(Request(account: " Alice@Example.com", at: T0.AddSeconds(i)))).Action);
        }

        // A caller that keys by text sees the engine's counter, and spends from it.
        var peek = new CounterOperation
        {
            Key = "p/k|alice@example.com", Algorithm = LimitAlgorithm.SlidingWindow, Mode = CounterMode.Acquire,
            Permits = 5, PeriodTicks = TimeSpan.FromMinutes(1).Ticks, Cost = 2,
        };
        var result = new CounterResult[1];
        store.Apply([peek], result, T0.AddSeconds(3).UtcTicks);
        Assert.True(result[0].Allowed);
        Assert.Equal(0, result[0].Remaining);
        var refused = await engine.Decide(Request(account: "alice@example.com", at: T0.AddSeconds(4)));
        Assert.Equal(DecisionAction.Block, refused.Action);
        Assert.Matches(@"^limit 'k' \(5/min by account\) exceeded; retry in [1-9][0-9]* s$", Assert.Single(refused.Reasons).Detail);
    }

    [Fact]
    public void An_operation_needs_a_key_or_for_the_in_memory_store_a_key_hash()
    {
        var operation = new CounterOperation
        {
            Algorithm = LimitAlgorithm.TokenBucket, Mode = CounterMode.Acquire, Permits = 1, PeriodTicks = TimeSpan.TicksPerSecond, Burst = 1, Cost = 1,
        };
        var store = new InMemoryCounterStore(10);
        var results = new CounterResult[1];
        Assert.Contains("has no Key", Assert.Throws<ArgumentException>(() => store.Apply([operation], results, T0.UtcTicks)).Message, StringComparison.Ordinal);

        operation.KeyHash = CounterKeyHash.Of("p/k|x");
        store.Apply([operation], results, T0.UtcTicks);
        Assert.True(results[0].Spent);

        // Stores that need the text (Redis) keep refusing an operation without a key.
        Assert.Throws<ArgumentException>(() => CounterOperationValidation.Validate(operation, 0));
        store.Apply([new CounterOperation { Key = "p/k|x", Algorithm = LimitAlgorithm.TokenBucket, Mode = CounterMode.Peek, Permits = 1, PeriodTicks = TimeSpan.TicksPerSecond, Burst = 1, Cost = 1 }], results, T0.UtcTicks);
        Assert.False(results[0].Allowed);
    }
}
