using System.Globalization;
using System.Net;
using Bulwark.AspNetCore;
using Bulwark.Core;
using Bulwark.Core.Pipeline;
using Bulwark.Core.Policy;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Bulwark.IntegrationTests;

/// <summary>
/// A real browser passes the proof-of-work challenge: headless Chromium loads a page the policy challenges, the page's
/// script solves the challenge, the verify endpoint sets the pass cookie, and the reload shows the real page.
/// </summary>
public sealed class ChallengeBrowserTests(ITestOutputHelper output)
{
    private const string Config = """
        { "Bulwark": {
            "Routes": [ { "Path": "/page", "Policy": "web" } ],
            "Policies": { "web": { "Thresholds": { "Delay": 50, "Challenge": 60, "Block": 90 } } }
        } }
        """;

    [ChromiumFact]
    public async Task Chromium_solves_the_challenge_at_the_default_difficulty_and_the_reload_shows_the_page()
    {
        await using var app = await StartAppAsync();
        var url = GatewayUrl(app) + "/page";
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);

        // A solve takes a geometrically distributed number of hashes: report the hash rate over all runs, and the
        // expected time at the default difficulty that follows from it (docs/challenge.md quotes these lines).
        var difficulty = new Core.Challenges.ChallengeOptions().Difficulty;
        long hashes = 0, ms = 0;
        var times = new List<int>();
        for (var run = 0; run < 5; run++)
        {
            await using var context = await browser.NewContextAsync();
            var (runMs, runHashes) = await SolveAsync(context, url);
            times.Add(runMs);
            hashes += runHashes;
            ms += runMs;
        }

        var rate = hashes * 1000.0 / Math.Max(1, ms);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Chromium {browser.Version}, crypto.subtle, difficulty {difficulty}: solves {string.Join(", ", times)} ms; {hashes} hashes in {ms} ms = {rate:0} hashes/s; expected solve {Math.Pow(2, difficulty) / rate:0.00} s"));
    }

    [ChromiumFact]
    public async Task Without_crypto_subtle_the_page_hashes_in_javascript_and_the_server_accepts_it()
    {
        await using var app = await StartAppAsync();
        var url = GatewayUrl(app) + "/page";
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        await using var context = await browser.NewContextAsync();

        // What a page on plain http under a public name sees: no crypto.subtle (not a secure context).
        await context.AddInitScriptAsync("Object.defineProperty(self.crypto, 'subtle', { get: () => undefined });");
        var (ms, hashes) = await SolveAsync(context, url);
        var rate = hashes * 1000.0 / Math.Max(1, ms);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Chromium {browser.Version}, JavaScript SHA-256, difficulty {new Core.Challenges.ChallengeOptions().Difficulty}: {hashes} hashes in {ms} ms = {rate:0} hashes/s"));
    }

    // Loads the challenged page, waits for the real page after the reload, returns the solve time the page measured.
    private static async Task<(int Ms, long Hashes)> SolveAsync(IBrowserContext context, string url)
    {
        var page = await context.NewPageAsync();
        var statuses = new List<int>();
        page.Response += (_, r) =>
        {
            if (r.Url == url)
            {
                statuses.Add(r.Status);
            }
        };

        // Registered before the first load: the solve can be over before GotoAsync returns.
        var reloadedTask = page.WaitForResponseAsync(r => r.Url == url && r.Status == 200, new PageWaitForResponseOptions { Timeout = 60_000 });
        var first = await page.GotoAsync(url);
        Assert.NotNull(first);
        Assert.Equal(401, first.Status);
        Assert.StartsWith("text/html", first.Headers["content-type"], StringComparison.Ordinal); // the body is gone with the reload

        var reloaded = await reloadedTask;
        await page.WaitForSelectorAsync("#real", new PageWaitForSelectorOptions { Timeout = 10_000 });
        Assert.Equal("The real page", await page.InnerTextAsync("#real"));
        Assert.Equal(200, reloaded.Status);
        Assert.Equal([401, 200], statuses); // one challenge, one reload: the cookie was enough

        var cookies = await context.CookiesAsync();
        var pass = Assert.Single(cookies, c => c.Name == "bulwark_pass");
        Assert.True(pass.HttpOnly);
        return (int.Parse(await page.EvaluateAsync<string>("sessionStorage.getItem('bulwark-solve-ms')"), CultureInfo.InvariantCulture),
            long.Parse(await page.EvaluateAsync<string>("sessionStorage.getItem('bulwark-solve-hashes')"), CultureInfo.InvariantCulture));
    }

    private static Task<IBrowser> LaunchAsync(IPlaywright playwright) => playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
    {
        ExecutablePath = ChromiumFactAttribute.ExecutablePath,
        Headless = true,
        Args = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });

    private static string GatewayUrl(WebApplication app) => app.Urls.First().Replace("[::1]", "127.0.0.1", StringComparison.Ordinal);

    private static async Task<WebApplication> StartAppAsync()
    {
        var loaded = BulwarkConfigLoader.LoadJson(Config);
        Assert.True(loaded.Options is not null, string.Join("\n", loaded.Errors));
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Services.AddSingleton<IDetector, PageDetector>();
        builder.Services.AddBulwark(o => o.Options = loaded.Options);
        var app = builder.Build();
        app.UseBulwark();
        app.MapGet("/page", () => Results.Content("<!doctype html><html><body><h1 id=\"real\">The real page</h1></body></html>", "text/html"));
        await app.StartAsync();
        return app;
    }

    /// <summary>Scores every request to /page 70: over the challenge threshold, under the block one.</summary>
    private sealed class PageDetector : IDetector
    {
        public void Detect(RequestContext request, EvaluationContext context)
        {
            if (request.Path == "/page")
            {
                context.AddSignal("test_page_risk", 70, "every /page request is challenged");
            }
        }
    }
}
