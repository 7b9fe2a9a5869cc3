using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Bulwark.Core.Challenges;
using Bulwark.Core.Pipeline;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Bulwark.AspNetCore.Tests.Challenges;

/// <summary>The proof-of-work challenge through the middleware: the 401 body's parameters, a C# solver, the verify endpoint and the pass cookie.</summary>
public sealed class ChallengeMiddlewareTests
{
    private const string UserAgent = "challenge-tests/1.0";

    internal static string Solve(string challenge, int difficulty)
    {
        for (var nonce = 0L; ; nonce++)
        {
            var text = nonce.ToString(CultureInfo.InvariantCulture);
            if (ChallengeSigner.LeadingZeroBits(SHA256.HashData(Encoding.UTF8.GetBytes(challenge + text))) >= difficulty)
            {
                return text;
            }
        }
    }

    private static Task<IHost> Start() =>
        TestApp.StartAsync(services: s => s.AddSingleton<IDetector, TestApp.RiskyRouteDetector>());

    private static HttpRequestMessage Risky(int risk, string? cookie = null, string userAgent = UserAgent)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/risky");
        request.Headers.Add("x-test-risk", risk.ToString(CultureInfo.InvariantCulture));
        request.Headers.UserAgent.ParseAdd(userAgent);
        if (cookie is not null)
        {
            request.Headers.Add("Cookie", cookie);
        }

        return request;
    }

    private static async Task<(string Challenge, int Difficulty, string VerifyUrl)> ChallengeOf(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var challenge = body.RootElement.GetProperty("challenge");
        Assert.Equal("sha256-leading-zero-bits", challenge.GetProperty("algorithm").GetString());
        return (challenge.GetProperty("challenge").GetString()!, challenge.GetProperty("difficulty").GetInt32(), challenge.GetProperty("verify_url").GetString()!);
    }

    private static async Task<HttpResponseMessage> Verify(HttpClient client, string url, string challenge, string nonce, string userAgent = UserAgent)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new FormUrlEncodedContent([new("challenge", challenge), new("nonce", nonce)]),
        };
        request.Headers.UserAgent.ParseAdd(userAgent);
        return await client.SendAsync(request);
    }

    private static string PassCookie(HttpResponseMessage verified)
    {
        var setCookie = Assert.Single(verified.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith("bulwark_pass=", setCookie, StringComparison.Ordinal);
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", setCookie, StringComparison.OrdinalIgnoreCase);
        return setCookie.Split(';')[0];
    }

    [Fact]
    public async Task A_scripted_client_solves_the_challenge_and_its_pass_lets_the_request_through()
    {
        using var host = await Start();
        var client = host.GetTestClient();
        var (challenge, difficulty, url) = await ChallengeOf(await client.SendAsync(Risky(70)));
        Assert.Equal(16, difficulty);
        Assert.Equal("/.bulwark/challenge/verify", url);

        var verified = await Verify(client, url, challenge, Solve(challenge, difficulty));
        Assert.Equal(HttpStatusCode.OK, verified.StatusCode);
        var cookie = PassCookie(verified);

        var allowed = await client.SendAsync(Risky(70, cookie));
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal("risky", await allowed.Content.ReadAsStringAsync());

        // The pass never lifts a block; another User-Agent with the same cookie is challenged again.
        Assert.Equal(HttpStatusCode.Forbidden, (await client.SendAsync(Risky(95, cookie))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(Risky(70, cookie, "other-client/2.0"))).StatusCode);
    }

    [Theory]
    [InlineData("10.1.1.1", "X-Forwarded-Proto", "https", true)]
    [InlineData("10.1.1.1", "X-Forwarded-Proto", "https, http", true)]
    [InlineData("10.1.1.1", "Forwarded", "for=198.51.100.7;proto=https", true)]
    [InlineData("10.1.1.1", "X-Forwarded-Proto", "http", false)]
    [InlineData("192.0.2.9", "X-Forwarded-Proto", "https", false)]
    public async Task The_pass_cookie_is_Secure_when_a_trusted_TLS_terminating_proxy_says_the_client_spoke_https(
        string peer, string header, string value, bool secure)
    {
        using var host = await TestApp.StartAsync(
            setup: o => o.Options = o.Options! with { TrustedProxies = ["10.1.1.1/32"] },
            services: s => s.AddSingleton<IDetector, TestApp.RiskyRouteDetector>());
        var client = host.GetTestClient();
        HttpRequestMessage ViaProxy(HttpRequestMessage request)
        {
            request.Headers.Add("X-Test-Peer", peer);
            request.Headers.Add("X-Forwarded-For", "198.51.100.7");
            request.Headers.Add(header, value);
            return request;
        }

        var (challenge, difficulty, url) = await ChallengeOf(await client.SendAsync(ViaProxy(Risky(70))));
        using var verify = ViaProxy(new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new FormUrlEncodedContent([new("challenge", challenge), new("nonce", Solve(challenge, difficulty))]),
        });
        verify.Headers.UserAgent.ParseAdd(UserAgent);
        var verified = await client.SendAsync(verify);

        Assert.Equal(HttpStatusCode.OK, verified.StatusCode);
        PassCookie(verified);
        var setCookie = Assert.Single(verified.Headers.GetValues("Set-Cookie"));
        Assert.Equal(secure, setCookie.Split(';').Any(part => part.Trim().Equals("secure", StringComparison.OrdinalIgnoreCase)));
    }

    [Fact]
    public async Task A_wrong_nonce_a_foreign_user_agent_or_a_forged_challenge_gets_403_and_no_cookie()
    {
        using var host = await Start();
        var client = host.GetTestClient();
        var (challenge, difficulty, url) = await ChallengeOf(await client.SendAsync(Risky(70)));
        var nonce = Solve(challenge, difficulty);

        var wrongNonce = nonce == "0" ? "1" : (long.Parse(nonce, CultureInfo.InvariantCulture) - 1).ToString(CultureInfo.InvariantCulture);
        var wrong = await Verify(client, url, challenge, wrongNonce);
        Assert.Equal(HttpStatusCode.Forbidden, wrong.StatusCode);
        Assert.Equal("application/problem+json", wrong.Content.Headers.ContentType!.MediaType);
        Assert.Contains("challenge_failed", await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(wrong.Headers.Contains("Set-Cookie"));

        Assert.Equal(HttpStatusCode.Forbidden, (await Verify(client, url, challenge, nonce, "other-client/2.0")).StatusCode);

        // A self-made challenge of difficulty 1 is not signed with the server's key.
        var forged = "9999999999.1.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
        Assert.Equal(HttpStatusCode.Forbidden, (await Verify(client, url, forged, Solve(forged, 1))).StatusCode);

        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync(new Uri(url, UriKind.Relative), new FormUrlEncodedContent([new("nonce", "1")]))).StatusCode);

        // The endpoint is open to anyone: a big form is not read.
        var big = await client.PostAsync(new Uri(url, UriKind.Relative), new FormUrlEncodedContent([new("challenge", challenge), new("nonce", nonce), new("pad", new string('x', 4000))]));
        Assert.Equal(HttpStatusCode.BadRequest, big.StatusCode);
    }

    [Fact]
    public async Task A_forged_cookie_is_ignored_and_the_request_is_challenged()
    {
        using var host = await Start();
        var client = host.GetTestClient();
        var response = await client.SendAsync(Risky(70, "bulwark_pass=9999999999.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task The_browser_page_carries_the_challenge_and_the_solver_script()
    {
        using var host = await Start();
        using var request = Risky(70);
        request.Headers.Accept.ParseAdd("text/html");
        var page = await host.GetTestClient().SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("<h1>Challenge required</h1>", html, StringComparison.Ordinal);
        Assert.Contains("data-difficulty=\"16\"", html, StringComparison.Ordinal);
        Assert.Contains("data-verify=\"/.bulwark/challenge/verify\"", html, StringComparison.Ordinal);
        Assert.Contains("crypto.subtle.digest('SHA-256'", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_challenges_turned_off_the_body_has_no_challenge_and_verify_answers_404()
    {
        using var host = await TestApp.StartAsync(
            setup: o => o.Options = o.Options! with { Challenge = new ChallengeOptions { Enabled = false } },
            services: s => s.AddSingleton<IDetector, TestApp.RiskyRouteDetector>());
        var client = host.GetTestClient();
        var response = await client.SendAsync(Risky(70));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.DoesNotContain("\"challenge\":{", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(new Uri("/.bulwark/challenge/verify?challenge=a&nonce=1", UriKind.Relative))).StatusCode);
    }
}
