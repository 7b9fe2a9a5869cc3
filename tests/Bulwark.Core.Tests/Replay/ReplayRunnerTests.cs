using System.Text;
using System.Text.Json;
using Bulwark.Core.Policy;
using Bulwark.Core.Replay;
using static Bulwark.Core.Tests.Engine.EngineFixture;

namespace Bulwark.Core.Tests.Replay;

public class ReplayRunnerTests
{
    private const string Policy = """
        { "Routes": [ { "Methods": ["POST"], "Path": "/login", "Policy": "login" } ],
          "Policies": { "login": { "Limits": [
            { "Name": "login-ip", "Key": "ip", "Rate": "3/min" },
            { "Name": "login-account-failures", "Key": "account", "Rate": "2/h", "Count": "failures", "FailureStatuses": ["401"] } ] } } }
        """;

    private static string Record(int second, string ip, string label, int status = 401, string user = "alice") =>
        $$"""{"ts":"2026-11-21T10:00:{{second:00}}.000Z","ip":"{{ip}}","method":"POST","path":"/login","headers":{"user-agent":"t","accept":"*/*"},"body":{"username":"{{user}}"},"status":{{status}},"latency_ms":5,"label":"{{label}}","extra":[1,2]}""";

    private static async Task<(ReplaySummary Summary, string[] Decisions)> Replay(string input)
    {
        var options = Options(Policy);
        var runner = new ReplayRunner(new BulwarkEngine(options), options);
        using var decisions = new MemoryStream();
        var summary = await runner.RunAsync(new MemoryStream(Encoding.UTF8.GetBytes(input)), decisions);
        var lines = Encoding.UTF8.GetString(decisions.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return (summary, lines);
    }

    [Fact]
    public async Task Records_are_decided_on_their_own_clock_and_feedback_counts_failures()
    {
        var input = string.Join('\n',
            Record(0, "203.0.113.1", "attack:brute_force"),
            Record(1, "203.0.113.2", "attack:brute_force"),
            Record(2, "203.0.113.3", "attack:brute_force"), // third failure for alice: the 2/h failure budget is spent
            Record(3, "198.51.100.1", "legit", status: 200, user: "bob"));
        var (summary, decisions) = await Replay(input);

        Assert.Equal(4, summary.Decided);
        Assert.Equal(4, decisions.Length);
        var third = JsonDocument.Parse(decisions[2]).RootElement;
        Assert.Equal("block", third.GetProperty("action").GetString());
        Assert.Equal("login-account-failures", third.GetProperty("limit").GetProperty("name").GetString());
        Assert.Equal(3, third.GetProperty("line").GetInt64());
        Assert.Equal("attack:brute_force", third.GetProperty("label").GetString());
        Assert.Equal("2026-11-21T10:00:02.000Z", third.GetProperty("ts").GetString());

        var attack = summary.Labels["attack:brute_force"];
        Assert.Equal(3, attack.Requests);
        Assert.Equal(1, attack.Mitigated);
        Assert.Equal(3, attack.FirstMitigated);
        Assert.Equal(0, summary.Labels["legit"].Mitigated);
        Assert.Equal(1.0, summary.Precision);
        Assert.Equal(1.0 / 3, summary.Recall!.Value, 6);
    }

    [Fact]
    public async Task Malformed_lines_are_reported_with_their_numbers_and_skipped()
    {
        var input = string.Join('\n',
            Record(0, "203.0.113.1", "legit"),
            "{not json",
            """{"ts":"2026-11-21T10:00:01Z","ip":"999.1.1.1","method":"GET","path":"/"}""",
            """{"ts":"yesterday","ip":"203.0.113.1","method":"GET","path":"/"}""",
            """{"ip":"203.0.113.1","method":"GET","path":"/"}""",
            """{"ts":"2026-11-21T10:00:01Z","ip":"203.0.113.1","method":"GET","path":"/","headers":{"a":1}}""",
            "",
            "[1,2]",
            Record(5, "203.0.113.1", "legit"));
        var (summary, decisions) = await Replay(input + "\n");

        Assert.Equal(8, summary.Lines);
        Assert.Equal(2, summary.Decided);
        Assert.Equal(6, summary.Skipped);
        Assert.Equal([2L, 3, 4, 5, 6, 8], summary.Errors.Select(e => e.Line));
        Assert.Contains("\"ip\"", summary.Errors[1].Error, StringComparison.Ordinal);
        Assert.Contains("\"ts\"", summary.Errors[2].Error, StringComparison.Ordinal);
        Assert.Contains("\"ts\" is required", summary.Errors[3].Error, StringComparison.Ordinal);
        Assert.Contains("headers", summary.Errors[4].Error, StringComparison.Ordinal);
        Assert.Equal(2, decisions.Length);
    }

    [Fact]
    public async Task Small_reorderings_are_tolerated_and_large_steps_back_reported()
    {
        var input = string.Join('\n',
            Record(30, "203.0.113.1", "legit", 200),
            Record(27, "203.0.113.2", "legit", 200),
            Record(10, "203.0.113.3", "legit", 200));
        var (summary, _) = await Replay(input);
        Assert.Equal(1, summary.TimeJumps);
        var jump = Assert.Single(summary.Jumps);
        Assert.Equal(3, jump.Line);
        Assert.Equal(20, jump.SecondsBack, 3);
    }

    [Fact]
    public void Header_order_is_kept_as_written()
    {
        var parser = new RequestRecordParser(new IdentityOptions());
        var line = """{"ts":"2026-11-21T10:00:00+02:00","ip":"::ffff:203.0.113.9","method":"get","path":"/x","headers":{"User-Agent":"a","Accept":"b","X-Api-Key":"k1","Cookie":"c"}}"""u8;
        Assert.True(parser.TryParse(line, 1, out var record, out var error), error);
        var names = record.Request.Headers.AsSpan().ToArray().Select(h => h.Key);
        Assert.Equal(["user-agent", "accept", "x-api-key", "cookie"], names);
        Assert.Equal("203.0.113.9", record.Request.ClientIp.ToString());
        Assert.Equal("GET", record.Request.Method);
        Assert.Equal("k1", record.Request.ApiKey);
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 8, 0, 0, TimeSpan.Zero), record.Request.Timestamp);
    }

    [Theory]
    [InlineData("""{"ts":"2026-11-21T10:00:00Z","ip":"203.0.113.1","method":"GET","path":"/"} {}""", "not JSON")]
    [InlineData("""{"ts":"2026-11-21T10:00:00Z","ip":"203.0.113.1","method":"GET","path":""}""", "\"path\" must not be empty")]
    [InlineData("""{"ts":"2026-11-21T10:00:00Z","ip":"203.0.113.1","method":"GET","path":7}""", "\"path\" must be a string")]
    [InlineData("""{"ts":"2026-11-21T10:00:00Z","ip":"203.0.113.1","method":"G T","path":"/"}""", "\"method\"")]
    [InlineData("""{"ts":"2026-11-21T10:00:00Z","ip":"203.0.113.1","method":"GET","path":"/","status":"200"}""", "\"status\"")]
    [InlineData("""{"ts":"2026-11-21T10:00:00Z","ip":"203.0.113.1","method":"GET","path":"/","status":700}""", "\"status\"")]
    [InlineData("""{"ts":"2026-11-21T10:00:00Z","ip":"203.0.113.1","method":"GET","path":"/","latency_ms":-1}""", "\"latency_ms\"")]
    [InlineData("""{"ts":"2026-11-21T10:00:00Z","ip":"203.0.113.1","method":"GET","path":"/","tls":{"ja4":5}}""", "\"tls\"")]
    [InlineData("""{"ts":"2026-11-21T10:00:00Z","ip":"203.0.113.1","method":"GET","path":"/","label":1}""", "\"label\"")]
    [InlineData("""{"ts":"2026-13-21T10:00:00Z","ip":"203.0.113.1","method":"GET","path":"/"}""", "\"ts\"")]
    [InlineData("""{"ts":"2026-11-21T10:00:00Z","ip":"203.0.113.1","method":"GET","path":"/",}""", "not JSON")]
    public void Bad_members_are_errors_that_name_them(string line, string expected)
    {
        var parser = new RequestRecordParser(new IdentityOptions());
        Assert.False(parser.TryParse(Encoding.UTF8.GetBytes(line), 1, out _, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Escapes_nulls_bodies_and_fingerprints_are_read()
    {
        var parser = new RequestRecordParser(new IdentityOptions());
        var line = """{"\u0074s":"2026-11-21T10:00:00.1234567-05:00","ip":"2001:db8::7%eth0","method":"post","path":"/api/\u00e9","query":null,"label":null,"status":null,"headers":{"X-API-KEY":"k","User-Agent":"ua \"x\""},"tls":{"ja4":"t13d","ja3":null,"other":[1]},"body":{"email":"Bob@example.com","nested":{"a":[1,2]}},"session":"s1","nested":{"deep":[{"x":1}]}}"""u8;
        Assert.True(parser.TryParse(line, 9, out var record, out var error), error);
        var request = record.Request;
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 15, 0, 0, TimeSpan.Zero).AddTicks(1_234_567), request.Timestamp);
        Assert.Equal("2001:db8::7", request.ClientIp.ToString());
        Assert.Equal("POST", request.Method);
        Assert.Equal("/api/é", request.Path);
        Assert.Null(request.Query);
        Assert.Null(record.Label);
        Assert.Null(record.Status);
        Assert.Equal("k", request.ApiKey);
        Assert.Equal("ua \"x\"", request.Headers["user-agent"]);
        Assert.Equal("t13d", request.Tls!.Ja4);
        Assert.Null(request.Tls.Ja3);
        Assert.Equal("Bob@example.com", request.Account);
        Assert.Equal("s1", request.Session);
        Assert.Equal("[1,2]", request.Body!.Value.GetProperty("nested").GetProperty("a").GetRawText());
    }

    [Fact]
    public async Task Nginx_logs_replay_like_request_records()
    {
        var options = Options(Policy);
        var runner = new ReplayRunner(new BulwarkEngine(options), options, ReplayInputFormat.NginxCombined);
        var lines = Enumerable.Range(0, 6).Select(i => $$"""203.0.113.{{i}} - - [21/Nov/2026:10:00:0{{i}} +0000] "POST /login HTTP/1.1" 200 12 "-" "t" """.TrimEnd())
            .Append("""203.0.113.9 - - [21/Nov/2026:10:00:09 +0000] "-" 400 0 "-" "-" """.TrimEnd());
        using var decisions = new MemoryStream();
        var summary = await runner.RunAsync(new MemoryStream(Encoding.UTF8.GetBytes(string.Join("\r\n", lines))), decisions);
        Assert.Equal(6, summary.Decided);
        Assert.Equal(1, summary.Skipped);
        Assert.Equal(7, summary.Errors[0].Line);
        var records = Encoding.UTF8.GetString(decisions.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(6, records.Length);
        Assert.Equal(6, JsonDocument.Parse(records[^1]).RootElement.GetProperty("line").GetInt64());
    }

    [Fact]
    public void Mitigation_curves_stay_bounded_and_keep_the_shape()
    {
        var curve = new MitigationCurve();
        long mitigated = 0;
        for (long i = 1; i <= 100_000; i++)
        {
            mitigated += i > 50_000 ? 1 : 0;
            curve.Add(i, mitigated);
        }

        Assert.InRange(curve.Points.Count, MitigationCurve.MaxPoints / 2, MitigationCurve.MaxPoints);
        Assert.True(curve.Points.Zip(curve.Points.Skip(1)).All(p => p.First.Index < p.Second.Index));
        var middle = curve.Points.First(p => p.Index >= 75_000);
        Assert.Equal(middle.Index - 50_000, middle.Mitigated);
    }

    [Fact]
    public async Task Lines_split_across_reads_and_output_past_the_buffer_are_whole()
    {
        var input = string.Join('\n', Enumerable.Range(0, 3_000).Select(i => Record(i % 60, $"198.51.{i % 250}.{1 + (i % 200)}", "legit", 200, user: $"u{i}")));
        var options = Options(Policy);
        var runner = new ReplayRunner(new BulwarkEngine(options), options);
        using var decisions = new MemoryStream();
        var summary = await runner.RunAsync(new TrickleStream(Encoding.UTF8.GetBytes(input), 997), decisions);
        Assert.Equal(0, summary.Skipped);
        Assert.Equal(3_000, summary.Decided);
        var lines = Encoding.UTF8.GetString(decisions.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(decisions.Length > 3 * 65_536);
        Assert.Equal(Enumerable.Range(1, 3_000).Select(i => (long)i), lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("line").GetInt64()));
    }

    /// <summary>Hands out at most <c>chunk</c> bytes per read, so lines straddle the reader's buffers.</summary>
    private sealed class TrickleStream(byte[] data, int chunk) : MemoryStream(data)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, chunk));

        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, chunk)]);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            base.ReadAsync(buffer, offset, Math.Min(count, chunk), cancellationToken);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, chunk)], cancellationToken);
    }
}
