using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Bulwark.Cli.Demo;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace Bulwark.IntegrationTests;

/// <summary>The embedded demo (what <c>bulwark serve</c> runs) on a real Kestrel listener on loopback.</summary>
public sealed class DemoServerTests : IAsyncLifetime
{
    private WebApplication? _app;
    private HttpClient? _client;

    public async Task InitializeAsync()
    {
        var loaded = DemoServer.LoadConfiguration(new ServeOptions());
        Assert.True(loaded.Options is not null, string.Join("\n", loaded.Errors));
        _app = DemoServer.Build(new ServeOptions { Urls = "http://127.0.0.1:0" }, loaded.Options!, logging => logging.SetMinimumLevel(LogLevel.Warning));
        await _app.StartAsync();
        var address = DemoServer.Addresses(_app).Single();
        _client = new HttpClient { BaseAddress = new Uri(address) };
        _client.DefaultRequestHeaders.UserAgent.ParseAdd("bulwark-integration-tests/1.0");
    }

    public async Task DisposeAsync()
    {
        _client?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_login_burst_turns_into_429_with_the_contract_headers()
    {
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? refused = null;
        for (var i = 0; i < 8; i++)
        {
            var response = await _client!.PostAsJsonAsync("/api/auth/login", new { username = "mallory@example.com", password = $"guess{i}" });
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                refused ??= response;
            }
            else
            {
                Assert.True(response.Headers.Contains("RateLimit-Policy"));
            }
        }

        Assert.Equal(Enumerable.Repeat(HttpStatusCode.Unauthorized, 5).Concat(Enumerable.Repeat(HttpStatusCode.TooManyRequests, 3)), statuses);
        Assert.NotNull(refused);
        Assert.True(int.Parse(refused!.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) >= 1);
        Assert.Contains("\"login-ip\";q=10;w=60", refused.Headers.GetValues("RateLimit-Policy").Single(), StringComparison.Ordinal);
        Assert.Contains("\"login-ip\";r=0;t=", refused.Headers.GetValues("RateLimit").Single(), StringComparison.Ordinal);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType!.MediaType);
        using var body = JsonDocument.Parse(await refused.Content.ReadAsStringAsync());
        Assert.Equal(429, body.RootElement.GetProperty("status").GetInt32());
        Assert.Equal("rate_limited", body.RootElement.GetProperty("reason").GetString());
        Assert.False(string.IsNullOrEmpty(body.RootElement.GetProperty("decision_id").GetString()));
    }

    [Fact]
    public async Task The_demo_api_answers_behind_the_middleware()
    {
        var product = await _client!.GetAsync(new Uri("/api/products/42", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, product.StatusCode);
        Assert.Contains("\"catalogue-ip\"", product.Headers.GetValues("RateLimit-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync(new Uri("/api/products/50001", UriKind.Relative))).StatusCode);

        var login = await _client.PostAsJsonAsync("/api/auth/login", new { username = DemoApi.DemoUser, password = DemoApi.DemoPassword });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);

        var home = await _client.GetAsync(new Uri("/", UriKind.Relative));
        Assert.Equal("text/html", home.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task Otp_is_limited_per_phone_number_whatever_the_address()
    {
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            statuses.Add((await _client!.PostAsJsonAsync("/api/otp/send", new { phone = "+15555550123" })).StatusCode);
        }

        Assert.Equal([HttpStatusCode.Accepted, HttpStatusCode.Accepted, HttpStatusCode.Accepted, HttpStatusCode.TooManyRequests], statuses);
    }

    [Fact]
    public async Task The_inference_route_spends_its_cost()
    {
        // 100 permits a minute at a cost of 10 each: ten calls, then 429 (the concurrency limit of 2 is not reached: calls are sequential).
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 11; i++)
        {
            statuses.Add((await _client!.PostAsJsonAsync("/api/inference", new { prompt = "hi" })).StatusCode);
        }

        Assert.Equal(Enumerable.Repeat(HttpStatusCode.OK, 10).Append(HttpStatusCode.TooManyRequests), statuses);
    }
}
