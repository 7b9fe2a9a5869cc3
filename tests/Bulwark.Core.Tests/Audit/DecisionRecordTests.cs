using System.Text;
using System.Text.Json;
using Bulwark.Core.Audit;
using Bulwark.Core.Policy;
using static Bulwark.Core.Tests.Engine.EngineFixture;

namespace Bulwark.Core.Tests.Audit;

public class DecisionRecordTests
{
    private const string Policy = """
        { "Routes": [ { "Path": "/login", "Policy": "login" } ],
          "Policies": { "login": { "Limits": [ { "Name": "login-ip", "Key": "ip", "Rate": "1/min" } ] } } }
        """;

    [Fact]
    public async Task Records_follow_the_contract_and_leak_no_address_account_or_key_in_clear()
    {
        var engine = NewEngine(Policy);
        await engine.Decide(Request("POST", "/login", ip: "203.0.113.77", account: "alice@example.com", apiKey: "sk_live_secret"));
        var request = Request("POST", "/login", ip: "203.0.113.77", account: "alice@example.com", apiKey: "sk_live_secret", ja4: "t13d1516h2_8daaf6152771_e5627efa2ab1");
        var decision = await engine.Decide(request);

        using var stream = new MemoryStream();
        await using (var writer = new JsonLinesDecisionWriter(new NonClosingStream(stream), new PrivacyOptions { PseudonymKey = "test-key" }))
        {
            writer.Record(decision, request, line: 2, label: "attack:credential_stuffing");
        }

        var text = Encoding.UTF8.GetString(stream.ToArray());
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("203.0.113.77", text, StringComparison.Ordinal);
        Assert.DoesNotContain("alice", text, StringComparison.Ordinal);
        Assert.DoesNotContain("sk_live_secret", text, StringComparison.Ordinal);

        using var record = JsonDocument.Parse(text);
        var root = record.RootElement;
        Assert.Equal("2026-11-21T10:00:00.000Z", root.GetProperty("ts").GetString());
        Assert.Equal(2, root.GetProperty("line").GetInt64());
        Assert.Equal(decision.Id, root.GetProperty("request_id").GetString());
        Assert.Equal("block", root.GetProperty("action").GetString());
        Assert.Equal(429, root.GetProperty("status").GetInt32());
        Assert.Equal("login", root.GetProperty("policy").GetString());
        Assert.Equal("login-ip", root.GetProperty("limit").GetProperty("name").GetString());
        Assert.Equal(0, root.GetProperty("limit").GetProperty("remaining").GetInt64());
        Assert.Equal("rate_limit", root.GetProperty("reasons")[0].GetProperty("signal").GetString());
        Assert.Equal("203.0.113.0/24", root.GetProperty("actor").GetProperty("ip").GetString());
        Assert.Equal("t13d1516h2_8daaf6152771_e5627efa2ab1", root.GetProperty("actor").GetProperty("ja4").GetString());
        Assert.StartsWith("h:", root.GetProperty("actor").GetProperty("account").GetString(), StringComparison.Ordinal);
        Assert.True(root.GetProperty("enforced").GetBoolean());
        Assert.Equal("attack:credential_stuffing", root.GetProperty("label").GetString());
    }

    [Fact]
    public async Task Monitor_mode_records_carry_the_would_be_action_and_enforced_false()
    {
        var engine = NewEngine(Policy.Replace("\"login\": { \"Limits\"", "\"login\": { \"Mode\": \"monitor\", \"Limits\"", StringComparison.Ordinal));
        await engine.Decide(Request("POST", "/login", ip: "2001:db8:1:2::1"));
        var request = Request("POST", "/login", ip: "2001:db8:1:2::1");
        var decision = await engine.Decide(request);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            new DecisionRecordFormatter(new PrivacyOptions()).Write(json, decision, request, null, null);
        }

        using var record = JsonDocument.Parse(buffer.ToArray());
        Assert.Equal("block", record.RootElement.GetProperty("action").GetString());
        Assert.False(record.RootElement.GetProperty("enforced").GetBoolean());
        Assert.Equal("2001:db8:1::/48", record.RootElement.GetProperty("actor").GetProperty("ip").GetString());
    }

    private sealed class NonClosingStream(Stream inner) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => inner.Length;

        public override long Position { get => inner.Position; set => inner.Position = value; }

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

        protected override void Dispose(bool disposing)
        {
            // the test reads the inner stream afterwards
        }
    }
}
