using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Bulwark.Core.Challenges;

namespace Bulwark.Gateway.Tests.Challenges;

/// <summary>The gateway's front door: a challenged request, the solution posted to <c>/.bulwark/challenge/verify</c>, and the pass that lets the next request reach the upstream.</summary>
public sealed class GatewayChallengeTests
{
    // Requests without a User-Agent score 70: challenged (60), not blocked (90).
    private const string Policies = """
        , "Routes": [ { "Name": "all", "Path": "/**", "Policy": "p" } ],
        "Policies": { "p": { "Signals": { "no_user_agent": 70 }, "Thresholds": { "Delay": 50, "Challenge": 60, "Block": 90 } } }
        """;

    private static string Solve(string challenge, int difficulty)
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

    [Fact]
    public async Task A_solved_challenge_earns_a_cookie_that_lets_the_request_through_to_the_upstream()
    {
        await using var upstream = await TestUpstream.StartAsync();
        await using var gateway = await TestGateway.StartAsync(TestGateway.Config(upstream.Address, policies: Policies,
            extra: "\"Challenge\": { \"Difficulty\": 12, \"Key\": \"gateway-test-key-0123456789abcdef0123\", \"CookieName\": \"gw_pass\" },"));
        using var client = gateway.Client();

        var challenged = await client.GetAsync(new Uri("/status/200", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, challenged.StatusCode);
        Assert.Equal(0, upstream.Hits);
        using var body = JsonDocument.Parse(await challenged.Content.ReadAsStringAsync());
        var parameters = body.RootElement.GetProperty("challenge");
        var challenge = parameters.GetProperty("challenge").GetString()!;
        var difficulty = parameters.GetProperty("difficulty").GetInt32();
        Assert.Equal(12, difficulty);

        // Wrong nonce first: refused, no cookie.
        var wrong = await client.GetAsync(new Uri($"/.bulwark/challenge/verify?challenge={Uri.EscapeDataString(challenge)}&nonce=x", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Forbidden, wrong.StatusCode);
        Assert.False(wrong.Headers.Contains("Set-Cookie"));

        using var form = new FormUrlEncodedContent([new("challenge", challenge), new("nonce", Solve(challenge, difficulty))]);
        var verified = await client.PostAsync(new Uri(parameters.GetProperty("verify_url").GetString()!, UriKind.Relative), form);
        Assert.Equal(HttpStatusCode.OK, verified.StatusCode);
        var cookie = Assert.Single(verified.Headers.GetValues("Set-Cookie")).Split(';')[0];
        Assert.StartsWith("gw_pass=", cookie, StringComparison.Ordinal);

        using var again = new HttpRequestMessage(HttpMethod.Get, "/status/200");
        again.Headers.Add("Cookie", cookie);
        var passed = await client.SendAsync(again);
        Assert.Equal(HttpStatusCode.OK, passed.StatusCode);
        Assert.Equal(1, upstream.Hits);
    }
}
