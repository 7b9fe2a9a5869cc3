using System.Text;
using Bulwark.Core.Policy;
using Bulwark.Core.Replay;

namespace Bulwark.Core.Tests.Replay;

public class NginxLogParserTests
{
    private static readonly IdentityOptions Identity = new();

    private static RequestRecord Combined(string line)
    {
        var parser = new NginxCombinedParser(Identity);
        Assert.True(parser.TryParse(Encoding.UTF8.GetBytes(line), 7, out var record, out var error), error);
        return record;
    }

    private static string CombinedError(string line)
    {
        var parser = new NginxCombinedParser(Identity);
        Assert.False(parser.TryParse(Encoding.UTF8.GetBytes(line), 7, out _, out var error));
        return error;
    }

    [Fact]
    public void Combined_line_gives_time_address_request_status_and_headers()
    {
        var record = Combined("""203.0.113.7 - - [21/Nov/2026:11:00:00 +0100] "POST /api/auth/login?next=%2F HTTP/1.1" 401 53 "https://shop.example/login" "Mozilla/5.0 (X11; Linux x86_64)" """.TrimEnd());
        var request = record.Request;
        Assert.Equal(7, record.Line);
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 10, 0, 0, TimeSpan.Zero), request.Timestamp);
        Assert.Equal("203.0.113.7", request.ClientIp.ToString());
        Assert.Equal("POST", request.Method);
        Assert.Equal("/api/auth/login", request.Path);
        Assert.Equal("next=%2F", request.Query);
        Assert.Equal(401, record.Status);
        Assert.Null(record.LatencyMs);
        Assert.Equal("Mozilla/5.0 (X11; Linux x86_64)", request.Headers["user-agent"]);
        Assert.Equal("https://shop.example/login", request.Headers["referer"]);
    }

    [Fact]
    public void Combined_escapes_dashes_ipv6_and_extra_fields_are_handled()
    {
        var record = Combined("""2001:db8::1 - alice [01/Dec/2026:00:00:05 -0500] "GET /api/search?q=\x22shoes\x22 HTTP/2.0" 200 0 "-" "curl/8.4 \x22quoted\x22 caf\xC3\xA9" "198.51.100.1" """.TrimEnd());
        var request = record.Request;
        Assert.Equal("2001:db8::1", request.ClientIp.ToString());
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 5, 0, 5, TimeSpan.Zero), request.Timestamp);
        Assert.Equal("q=\"shoes\"", request.Query);
        Assert.Equal("curl/8.4 \"quoted\" café", request.Headers["user-agent"]);
        Assert.Null(request.Headers["referer"]);
    }

    [Fact]
    public void Combined_takes_raw_quotes_spaces_in_uris_absolute_uris_and_http_09()
    {
        // An nginx that does not escape quotes: the field ends at a quote followed by a space.
        var raw = Combined("""198.51.100.2 - - [21/Nov/2026:10:00:00 +0000] "GET /a b HTTP/1.1" 200 1 "-" "Bot "v2" (x)" """.TrimEnd());
        Assert.Equal("/a b", raw.Request.Path);
        Assert.Equal("Bot \"v2\" (x)", raw.Request.Headers["user-agent"]);

        var absolute = Combined("""198.51.100.2 - - [21/Nov/2026:10:00:00 +0000] "GET http://shop.example/api/account?x=1 HTTP/1.1" 200 1 "-" "-" """.TrimEnd());
        Assert.Equal("/api/account", absolute.Request.Path);
        Assert.Equal("x=1", absolute.Request.Query);
        Assert.Equal(0, absolute.Request.Headers.Count);

        var http09 = Combined("""198.51.100.2 - - [21/Nov/2026:10:00:00 +0000] "get /" 200 1 "-" "-" """.TrimEnd());
        Assert.Equal("GET", http09.Request.Method);
        Assert.Equal("/", http09.Request.Path);

        // Cut short after the status (a custom format that drops the tail) still gives a request.
        Assert.Equal(404, Combined("""198.51.100.2 - - [21/Nov/2026:10:00:00 +0000] "GET /x HTTP/1.1" 404""").Status);
    }

    [Theory]
    [InlineData("""198.51.100.2 - - [21/Nov/2026:10:00:00 +0000] "-" 400 0 "-" "-" """, "request")]
    [InlineData("""198.51.100.2 - - [21/Nov/2026:10:00:00 +0000] "\x16\x03\x01\x02\x00\x01\x00\x01\xFC\x03\x03" 400 157 "-" "-" """, "request")]
    [InlineData("""198.51.100.2 - - [21/Nov/2026:10:00:00 +0000] "GET relative HTTP/1.1" 400 0 "-" "-" """, "request")]
    [InlineData("""unix: - - [21/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 0 "-" "-" """, "remote_addr")]
    [InlineData("""198.51.100.2 - - [21/Foo/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 0 "-" "-" """, "time_local")]
    [InlineData("""198.51.100.2 - - [21/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" OK 0 "-" "-" """, "status")]
    [InlineData("""{"ts":"2026-11-21T10:00:00Z"}""", "remote_addr")]
    [InlineData("garbage", "combined")]
    public void Combined_lines_that_are_not_requests_are_errors_naming_the_field(string line, string field)
    {
        Assert.Contains(field, CombinedError(line.TrimEnd()), StringComparison.Ordinal);
    }

    private const string JsonLine = """
        {"time_iso8601":"2026-11-21T11:00:00+01:00","msec":"1795255200.250","remote_addr":"::ffff:203.0.113.9","request_method":"POST","request_uri":"/api/auth/login?next=\"x\"","server_protocol":"HTTP/2.0","status":"401","body_bytes_sent":"53","request_time":"0.012","http_user_agent":"Mozilla/5.0","http_accept":"application/json","http_accept_language":"de-CH","http_referer":"","http_x_api_key":"k-123","http_x_session_id":"-","ja4":"t13d1516h2_8daaf6152771_e5627efa2ab1","ja3":"","label":"attack:credential_stuffing"}
        """;

    [Fact]
    public void Json_log_format_maps_to_a_request_record()
    {
        var parser = new NginxJsonParser(Identity);
        Assert.True(parser.TryParse(Encoding.UTF8.GetBytes(JsonLine), 3, out var record, out var error), error);
        var request = record.Request;
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 10, 0, 0, 250, TimeSpan.Zero), request.Timestamp); // msec wins: it has milliseconds
        Assert.Equal("203.0.113.9", request.ClientIp.ToString());
        Assert.Equal("POST", request.Method);
        Assert.Equal("/api/auth/login", request.Path);
        Assert.Equal("next=\"x\"", request.Query);
        Assert.Equal(401, record.Status);
        Assert.Equal(12, record.LatencyMs!.Value, 6);
        Assert.Equal(["user-agent", "accept", "accept-language", "x-api-key"], request.Headers.AsSpan().ToArray().Select(h => h.Key));
        Assert.Equal("k-123", request.ApiKey);
        Assert.Null(request.Session);
        Assert.Equal("t13d1516h2_8daaf6152771_e5627efa2ab1", request.Tls!.Ja4);
        Assert.Null(request.Tls.Ja3);
        Assert.Equal("attack:credential_stuffing", record.Label);
    }

    [Fact]
    public void Json_log_format_takes_bare_numbers_and_falls_back_to_time_iso8601()
    {
        var parser = new NginxJsonParser(Identity);
        var line = """{"time_iso8601":"2026-11-21T10:00:07+00:00","remote_addr":"198.51.100.4","request_method":"GET","request_uri":"/","status":204,"request_time":0.5}"""u8;
        Assert.True(parser.TryParse(line, 1, out var record, out var error), error);
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 10, 0, 7, TimeSpan.Zero), record.Request.Timestamp);
        Assert.Equal(204, record.Status);
        Assert.Equal(500, record.LatencyMs);
        Assert.Null(record.Request.Query);
    }

    [Theory]
    [InlineData("""{"remote_addr":"198.51.100.4","request_method":"GET","request_uri":"/"}""", "\"msec\" or \"time_iso8601\" is required")]
    [InlineData("""{"msec":"1795255200.000","request_method":"GET","request_uri":"/"}""", "\"remote_addr\" is required")]
    [InlineData("""{"msec":"1795255200.000","remote_addr":"198.51.100.4","request_method":"GET"}""", "\"request_uri\" is required")]
    [InlineData("""{"msec":"yesterday","remote_addr":"198.51.100.4","request_method":"GET","request_uri":"/"}""", "\"msec\"")]
    [InlineData("""{"msec":"1795255200.000","remote_addr":"198.51.100.4","request_method":"GET","request_uri":"/","status":"abc"}""", "\"status\"")]
    [InlineData("""{"msec":"1795255200.000","remote_addr":"1.2.3.999","request_method":"GET","request_uri":"/"}""", "\"remote_addr\"")]
    [InlineData("""{"msec":"1795255200.000","remote_addr":"198.51.100.4","request_method":"G(T","request_uri":"/"}""", "\"request_method\"")]
    [InlineData("""{"msec":"1795255200.000",""", "not JSON")]
    [InlineData("""[1]""", "JSON object")]
    public void Json_log_format_errors_name_the_field(string line, string expected)
    {
        var parser = new NginxJsonParser(Identity);
        Assert.False(parser.TryParse(Encoding.UTF8.GetBytes(line), 1, out _, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Msec_keeps_milliseconds()
    {
        Assert.True(NginxJsonParser.TryParseMsec("1795255200.007"u8, out var t));
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 10, 0, 0, 7, TimeSpan.Zero), t);
        Assert.True(NginxJsonParser.TryParseMsec("1795255200"u8, out _));
        Assert.False(NginxJsonParser.TryParseMsec("-1.0"u8, out _));
        Assert.False(NginxJsonParser.TryParseMsec("17952x5200.0"u8, out _));
    }

    [Fact]
    public void Lines_written_by_a_real_nginx_parse()
    {
        // nginx 1.22.1 (Debian 12) with samples/nginx-bulwark-log.conf and the combined format, fed by curl and raw sockets.
        var combined = new NginxCombinedParser(Identity);
        Assert.True(combined.TryParse("""127.0.0.1 - - [22/Nov/2026:03:07:31 +0000] "GET /api/search?q=a%20b&x=\x22y\x22 HTTP/1.1" 200 2 "http://ref.example/\x22x\x22" "Mozilla/5.0 \x22quoted\x22 caf\xC3\xA9" """u8.TrimEnd((byte)' '), 1, out var record, out var error), error);
        Assert.Equal("q=a%20b&x=\"y\"", record.Request.Query);
        Assert.Equal("http://ref.example/\"x\"", record.Request.Headers["referer"]);
        Assert.Equal("Mozilla/5.0 \"quoted\" café", record.Request.Headers["user-agent"]);
        Assert.False(combined.TryParse("""127.0.0.1 - - [22/Nov/2026:03:07:31 +0000] "GARBAGE" 400 157 "-" "-" """u8.TrimEnd((byte)' '), 2, out _, out error));
        Assert.Contains("'GARBAGE'", error, StringComparison.Ordinal);
        Assert.False(combined.TryParse("""127.0.0.1 - - [22/Nov/2026:03:07:32 +0000] "\x16\x03\x01\x00\x05hello" 400 157 "-" "-" """u8.TrimEnd((byte)' '), 3, out _, out error));
        Assert.Contains("\\x16\\x03", error, StringComparison.Ordinal); // shown as logged, no control bytes in the message

        var json = new NginxJsonParser(Identity);
        Assert.True(json.TryParse("""{"time_iso8601":"2026-11-22T03:07:31+00:00","msec":"1795316851.680","remote_addr":"127.0.0.1","request_method":"GET","request_uri":"/api/search?q=a%20b&x=\"y\"","server_protocol":"HTTP/1.1","status":"200","body_bytes_sent":"2","request_time":"0.000","http_user_agent":"Mozilla/5.0 \"quoted\" café","http_accept":"*/*","http_accept_language":"","http_accept_encoding":"","http_referer":"http://ref.example/\"x\"","http_x_api_key":"key-1","ssl_protocol":""}"""u8, 4, out record, out error), error);
        Assert.Equal(new DateTimeOffset(2026, 11, 22, 3, 7, 31, 680, TimeSpan.Zero), record.Request.Timestamp);
        Assert.Equal("key-1", record.Request.ApiKey);
        Assert.Equal(["user-agent", "accept", "referer", "x-api-key"], record.Request.Headers.AsSpan().ToArray().Select(h => h.Key));
        Assert.False(json.TryParse("""{"time_iso8601":"2026-11-22T03:07:31+00:00","msec":"1795316851.708","remote_addr":"127.0.0.1","request_method":"","request_uri":"","server_protocol":"","status":"400","body_bytes_sent":"157","request_time":"0.001","http_user_agent":"","http_accept":"","http_accept_language":"","http_accept_encoding":"","http_referer":"","http_x_api_key":"","ssl_protocol":""}"""u8, 5, out _, out error));
        Assert.Contains("no HTTP request line", error, StringComparison.Ordinal);
    }
}
