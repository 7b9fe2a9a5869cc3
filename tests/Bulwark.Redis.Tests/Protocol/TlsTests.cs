using System.Diagnostics;
using Bulwark.Core.Limits;
using Bulwark.Redis.Client;
using Bulwark.Redis.Limits;
using Bulwark.Redis.Protocol;

namespace Bulwark.Redis.Tests.Protocol;

/// <summary>
/// A real redis-server speaking TLS only, with a CA and a server certificate made by openssl for the test: trusted through
/// <c>sslCaFile</c>, refused with a clear message when the certificate does not chain to it, and AUTH with an ACL user.
/// </summary>
public sealed class TlsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bulwark-redis-tls-").FullName;

    [RedisFact]
    public async Task Counters_work_over_tls_trusting_a_private_ca_and_an_untrusted_certificate_fails_clearly()
    {
        var ca = MakeCa("Bulwark Test CA");
        var (cert, key) = MakeServerCertificate(ca, "localhost");
        using var server = RedisServer.StartTls(cert, key, ca.Cert);

        // Trusted: the CA file, the name on the certificate.
        await using (var store = new RedisCounterStore(
            new RedisClient(RedisEndpoint.Parse($"127.0.0.1:{server.Port},ssl=true,sslHost=localhost,sslCaFile={ca.Cert}")),
            new RedisCounterStoreOptions { Budget = TimeSpan.FromSeconds(5), KeyPrefix = "tls:" },
            ownsClient: true))
        {
            var op = new[] { new CounterOperation { Key = "api|203.0.113.5", Algorithm = LimitAlgorithm.FixedWindow, Mode = CounterMode.Acquire, Permits = 3, PeriodTicks = TimeSpan.TicksPerMinute, Cost = 1 } };
            var result = new CounterResult[1];
            var allowed = 0;
            for (var i = 0; i < 5; i++)
            {
                await store.ApplyAsync(op, result, TestStores.Now + i);
                allowed += result[0].Allowed ? 1 : 0;
            }

            Assert.Equal(3, allowed);
            Assert.Equal("PONG", (await store.Client.ExecuteAsync(["PING"])).AsString());
        }

        // A certificate from another CA: refused, saying it is TLS, which authorities were trusted and what to set.
        var other = MakeCa("Some Other CA");
        await using (var untrusted = new RedisClient(RedisEndpoint.Parse($"127.0.0.1:{server.Port},ssl=true,sslHost=localhost,sslCaFile={other.Cert},connectTimeout=5000")))
        {
            var e = await Assert.ThrowsAsync<RedisConnectionException>(() => untrusted.ExecuteAsync(["PING"]));
            Assert.Contains("TLS with Redis at 127.0.0.1", e.Message, StringComparison.Ordinal);
            Assert.Contains($"sslCaFile={other.Cert}", e.Message, StringComparison.Ordinal);
        }

        // The system's roots do not know the test CA either.
        await using (var system = new RedisClient(RedisEndpoint.Parse($"127.0.0.1:{server.Port},ssl=true,sslHost=localhost,connectTimeout=5000")))
        {
            var e = await Assert.ThrowsAsync<RedisConnectionException>(() => system.ExecuteAsync(["PING"]));
            Assert.Contains("the system's trusted roots", e.Message, StringComparison.Ordinal);
        }

        // The right CA but the wrong name.
        await using (var wrongName = new RedisClient(RedisEndpoint.Parse($"127.0.0.1:{server.Port},ssl=true,sslHost=redis.example,sslCaFile={ca.Cert},connectTimeout=5000")))
        {
            var e = await Assert.ThrowsAsync<RedisConnectionException>(() => wrongName.ExecuteAsync(["PING"]));
            Assert.Contains("name 'redis.example'", e.Message, StringComparison.Ordinal);
        }

        // Plain text to a TLS-only port fails too (the server drops it), as a connection error, not a hang.
        await using (var plain = new RedisClient(RedisEndpoint.Parse($"127.0.0.1:{server.Port},connectTimeout=5000")))
        {
            await Assert.ThrowsAsync<RedisConnectionException>(() => plain.ExecuteAsync(["PING"]).WaitAsync(TimeSpan.FromSeconds(10)));
        }
    }

    [RedisFact]
    public async Task An_acl_user_authenticates_over_tls_and_a_wrong_password_says_so()
    {
        var ca = MakeCa("Bulwark Test CA");
        var (cert, key) = MakeServerCertificate(ca, "localhost");
        using var server = RedisServer.StartTls(cert, key, ca.Cert, "--requirepass", "admin-pass");
        var tls = $"127.0.0.1:{server.Port},ssl=true,sslHost=localhost,sslCaFile={ca.Cert}";
        await using (var admin = new RedisClient(RedisEndpoint.Parse(tls + ",password=admin-pass")))
        {
            // Exactly the rights docs/redis.md lists for a gateway (plus ACL WHOAMI for the test).
            var reply = await admin.ExecuteAsync(["ACL", "SETUSER", "gateway", "on", ">gw-pass", "resetchannels", "~bulwark:*", "&bulwark:*", "+evalsha", "+script|load", "+get", "+set", "+ping", "+hgetall", "+hdel", "+hset", "+publish", "+subscribe", "+acl|whoami"]);
            Assert.Equal("OK", reply.AsString());
        }

        await using (var gateway = new RedisCounterStore(new RedisClient(RedisEndpoint.Parse(tls + ",user=gateway,password=gw-pass,protocol=3")), new RedisCounterStoreOptions { Budget = TimeSpan.FromSeconds(5) }, ownsClient: true))
        {
            Assert.Equal("gateway", (await gateway.Client.ExecuteAsync(["ACL", "WHOAMI"])).AsString());
            var op = new[] { new CounterOperation { Key = "login|{alice}", Algorithm = LimitAlgorithm.TokenBucket, Mode = CounterMode.Acquire, Permits = 10, PeriodTicks = TimeSpan.TicksPerMinute, Burst = 10, Cost = 1 } };
            var result = new CounterResult[1];
            await gateway.ApplyAsync(op, result, TestStores.Now);
            Assert.True(result[0].Allowed);
            Assert.Equal(9, result[0].Remaining);

            // Shared bans over the same TLS connection settings and user: subscribe, load, add, receive.
            var endpoint = RedisEndpoint.Parse(tls + ",user=gateway,password=gw-pass");
            var list = new Bulwark.Core.Lists.BanList();
            await using var sync = new Bulwark.Redis.Lists.RedisBanSync(endpoint, gateway.Client, list);
            sync.Start();
            await sync.Synced.WaitAsync(TimeSpan.FromSeconds(10));
            var peerList = new Bulwark.Core.Lists.BanList();
            await using var peerClient = new RedisClient(endpoint);
            await using var peer = new Bulwark.Redis.Lists.RedisBanSync(endpoint, peerClient, peerList);
            peer.Start();
            await peer.Synced.WaitAsync(TimeSpan.FromSeconds(10));
            await sync.AddAsync(Bulwark.Core.Lists.BanTarget.Account, "mallory", TimeSpan.FromMinutes(5), "tls test");
            for (var i = 0; i < 200 && peerList.Count == 0; i++)
            {
                await Task.Delay(10);
            }

            Assert.Equal(1, peerList.Count);
        }

        await using var wrong = new RedisClient(RedisEndpoint.Parse(tls + ",user=gateway,password=nope"));
        var e = await Assert.ThrowsAsync<RedisConnectionException>(() => wrong.ExecuteAsync(["PING"]));
        Assert.Contains("refused authentication for user 'gateway'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_ca_file_is_checked_when_the_connection_string_is_read()
    {
        var missing = Path.Combine(_dir, "missing.pem");
        var e = Assert.Throws<FormatException>(() => RedisEndpoint.Parse($"localhost:6380,ssl=true,sslCaFile={missing}"));
        Assert.Contains("sslCaFile", e.Message, StringComparison.Ordinal);
        Assert.Contains(missing, e.Message, StringComparison.Ordinal);

        var empty = Path.Combine(_dir, "empty.pem");
        File.WriteAllText(empty, "not a certificate\n");
        e = Assert.Throws<FormatException>(() => RedisEndpoint.Parse($"localhost:6380,ssl=true,sslCaFile={empty}"));
        Assert.Contains("holds no PEM certificate", e.Message, StringComparison.Ordinal);

        // The configuration check names the JSON path and the file before anything starts.
        var loaded = Bulwark.Core.Policy.BulwarkConfigLoader.LoadJson($$"""{ "Bulwark": { "State": { "Store": "redis", "Redis": { "Connection": "localhost:6380,ssl=true,sslCaFile={{missing}}" } } } }""");
        var error = Assert.Single(loaded.Errors);
        Assert.Contains("State.Redis.Connection", error.ToString().Replace(':', '.'), StringComparison.Ordinal);
        Assert.Contains($"sslCaFile names \"{missing}\", which does not exist", error.ToString(), StringComparison.Ordinal);

        if (Openssl is not null)
        {
            var ca = MakeCa("Bulwark Test CA");
            e = Assert.Throws<FormatException>(() => RedisEndpoint.Parse($"localhost:6380,sslCaFile={ca.Cert}"));
            Assert.Contains("needs ssl=true", e.Message, StringComparison.Ordinal);
            Assert.Single(RedisEndpoint.Parse($"localhost:6380,ssl=true,sslCaFile={ca.Cert}").SslCaCertificates!);
        }
    }

    /// <inheritdoc />
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string? Openssl { get; } = File.Exists("/usr/bin/openssl") ? "/usr/bin/openssl" : null;

    private (string Cert, string Key) MakeCa(string name)
    {
        var stem = Path.Combine(_dir, name.Replace(' ', '-'));
        Run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", stem + ".key", "-out", stem + ".crt", "-days", "2", "-subj", "/CN=" + name,
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        return (stem + ".crt", stem + ".key");
    }

    private (string Cert, string Key) MakeServerCertificate((string Cert, string Key) ca, string host)
    {
        var stem = Path.Combine(_dir, "server-" + host);
        Run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", stem + ".key", "-out", stem + ".csr", "-subj", "/CN=" + host);
        File.WriteAllText(stem + ".ext", $"subjectAltName=DNS:{host},IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
        Run("x509", "-req", "-in", stem + ".csr", "-CA", ca.Cert, "-CAkey", ca.Key, "-CAcreateserial", "-out", stem + ".crt", "-days", "2", "-extfile", stem + ".ext");
        return (stem + ".crt", stem + ".key");
    }

    private void Run(params string[] args)
    {
        var info = new ProcessStartInfo(Openssl ?? throw new InvalidOperationException("openssl is not installed (Debian package openssl)"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _dir,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"openssl {string.Join(' ', args)} failed: {error.Result}");
        }
    }
}
