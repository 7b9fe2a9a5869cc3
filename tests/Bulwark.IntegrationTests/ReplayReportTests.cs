using System.Diagnostics;
using Microsoft.Playwright;

namespace Bulwark.IntegrationTests;

/// <summary><c>bulwark replay --report</c>: the page is written, then rendered in headless Chromium and checked.</summary>
public sealed class ReplayReportTests
{

    /// <summary>Labelled traffic: brute force on one account (blocked after its failure budget), browsing, and a label that tries to inject markup.</summary>
    private static string Records()
    {
        var lines = new List<string>();
        var start = new DateTimeOffset(2026, 11, 21, 10, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < 400; i++)
        {
            var ts = start.AddSeconds(i * 3).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
            lines.Add($$"""{"ts":"{{ts}}","ip":"203.0.113.{{i % 50}}","method":"POST","path":"/api/auth/login","headers":{"user-agent":"python-requests/2.31"},"body":{"username":"alice@example.com"},"status":401,"label":"attack:brute_force"}""");
            lines.Add($$"""{"ts":"{{ts}}","ip":"198.51.{{i % 200}}.7","method":"GET","path":"/api/products/{{i + 1}}","headers":{"user-agent":"Mozilla/5.0","accept":"application/json"},"status":200,"label":"legit:browser"}""");
            if (i % 20 == 0)
            {
                lines.Add($$"""{"ts":"{{ts}}","ip":"192.0.2.1","method":"GET","path":"/","status":200,"label":"attack:<b>x</b>&\"q\""}""");
            }
        }

        lines.Add("{broken <script>alert(1)</script>");
        return string.Join('\n', lines) + "\n";
    }

    [ChromiumFact]
    public async Task Report_renders_in_headless_chromium_with_tables_and_charts()
    {
        var work = Directory.CreateTempSubdirectory("bulwark-report-");
        try
        {
            var input = Path.Combine(work.FullName, "records.jsonl");
            var report = Path.Combine(work.FullName, "report.html");
            await File.WriteAllTextAsync(input, Records());
            var (exitCode, _, stderr) = await BulwarkCli.RunAsync("replay", "--input", input, "--report", report);
            Assert.True(exitCode == 0, stderr);

            var html = await File.ReadAllTextAsync(report);
            Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("src=", html, StringComparison.Ordinal);
            Assert.DoesNotContain("href=", html, StringComparison.Ordinal);
            Assert.DoesNotContain("<b>x</b>", html, StringComparison.Ordinal);

            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchPersistentContextAsync(Path.Combine(work.FullName, "profile"), new BrowserTypeLaunchPersistentContextOptions
            {
                ExecutablePath = ChromiumFactAttribute.ExecutablePath,
                Headless = true,
                Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
                ViewportSize = new ViewportSize { Width = 1000, Height = 900 },
            });
            var page = await browser.NewPageAsync();
            var fetched = new List<string>();
            page.Request += (_, request) =>
            {
                if (!request.Url.StartsWith("file://", StringComparison.Ordinal))
                {
                    fetched.Add(request.Url);
                }
            };
            await page.GotoAsync(new Uri(report).AbsoluteUri);

            var screenshot = Path.Combine(AppContext.BaseDirectory, "replay-report.png");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
            Assert.True(new FileInfo(screenshot).Length > 10_000, "the screenshot is (nearly) empty");

            Assert.Equal("Bulwark replay report", await page.TitleAsync());
            var row = page.Locator("#labels tr[data-label='attack:brute_force'] td");
            Assert.Equal("attack:brute_force", await row.Nth(0).InnerTextAsync());
            Assert.Equal("400", await row.Nth(1).InnerTextAsync());
            Assert.Equal(0, await page.Locator("#labels td b").CountAsync());
            Assert.Contains("attack:<b>x</b>&\"q\"", await page.Locator("#labels").InnerTextAsync(), StringComparison.Ordinal);
            Assert.Equal(3, await page.Locator("svg#curves path.curve").CountAsync());
            Assert.True(await page.Locator("svg#timeline path").CountAsync() >= 2, "the timeline draws allow and block");
            Assert.True(await page.Locator("svg#reasons rect").CountAsync() >= 1);
            var box = await page.Locator("svg#curves").BoundingBoxAsync();
            Assert.True(box is { Width: > 400, Height: > 100 }, "the curve chart has a size on the page");
            Assert.Empty(fetched);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }
}
