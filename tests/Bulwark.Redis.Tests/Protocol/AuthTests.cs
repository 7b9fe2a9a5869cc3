using Bulwark.Core.Limits;
using Bulwark.Redis.Client;
using Bulwark.Redis.Protocol;

namespace Bulwark.Redis.Tests.Protocol;

/// <summary>AUTH with the default user and with an ACL user, and the messages when it fails.</summary>
public sealed class AuthTests
{
    [RedisFact]
    public async Task Password_and_acl_user_authenticate_and_failures_say_why()
    {
        using var server = RedisServer.Start("--requirepass", "s3cret");

        // Generous connect timeouts: this test is about what failures say, and the default 1 s expired once while every
        // test project started at the same time on a 2-core machine, turning the AUTH message into a timeout message.
        await using (var good = new RedisClient(RedisEndpoint.Parse(server.Connection("password=s3cret,connectTimeout=10000"))))
        {
            Assert.Equal("PONG", (await good.ExecuteAsync(["PING"])).AsString());
            Assert.Equal("OK", (await good.ExecuteAsync(["ACL", "SETUSER", "gateway", "on", ">gw-pass", "~*", "+@all"])).AsString());
        }

        await using (var wrong = new RedisClient(RedisEndpoint.Parse(server.Connection("password=nope,connectTimeout=10000"))))
        {
            var error = await Assert.ThrowsAsync<RedisConnectionException>(() => wrong.ExecuteAsync(["PING"]));
            Assert.Contains("refused authentication for the default user", error.Message, StringComparison.Ordinal);
            Assert.Contains("WRONGPASS", error.Message, StringComparison.Ordinal);
            Assert.Contains("password=", error.Message, StringComparison.Ordinal);
        }

        await using (var none = new RedisClient(RedisEndpoint.Parse(server.Connection("connectTimeout=10000"))))
        {
            var reply = await none.ExecuteAsync(["PING"]);
            Assert.True(reply.IsError);
            Assert.StartsWith("NOAUTH", reply.Text, StringComparison.Ordinal);
        }

        await using (var user = new RedisClient(RedisEndpoint.Parse(server.Connection("user=gateway,password=gw-pass,connectTimeout=10000"))))
        {
            Assert.Equal("gateway", (await user.ExecuteAsync(["ACL", "WHOAMI"])).AsString());
        }

        await using (var badUser = new RedisClient(RedisEndpoint.Parse(server.Connection("user=gateway,password=wrong,protocol=3,connectTimeout=10000"))))
        {
            var error = await Assert.ThrowsAsync<RedisConnectionException>(() => badUser.ExecuteAsync(["PING"]));
            Assert.Contains("user 'gateway'", error.Message, StringComparison.Ordinal);
        }

        // Through the store, a refused AUTH is an unavailable store (the engine applies the fail mode), with the reason inside.
        await using var store = TestStores.Create(server, settings: "password=nope");
        var op = new[] { new CounterOperation { Key = "auth|x", Algorithm = LimitAlgorithm.FixedWindow, Mode = CounterMode.Acquire, Permits = 1, PeriodTicks = TimeSpan.TicksPerMinute, Cost = 1 } };
        var unavailable = await Assert.ThrowsAsync<CounterStoreUnavailableException>(async () => await store.ApplyAsync(op, new CounterResult[1], TestStores.Now));
        Assert.Contains("WRONGPASS", unavailable.Message, StringComparison.Ordinal);
    }
}
