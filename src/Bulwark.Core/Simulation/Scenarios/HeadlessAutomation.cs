namespace Bulwark.Core.Simulation.Scenarios;

/// <summary>
/// Headless browsers (a real Chrome User-Agent, Chrome's TLS fingerprint and Chrome's headers) driven by a script:
/// no home page, no think time — a fixed 250 ms between steps — straight to login and a run of product pages.
/// </summary>
internal sealed class HeadlessAutomation : Scenario
{
    public override string Name => "headless-automation";

    public override string Label => "attack:headless";

    public override string Description => "200 scripted headless-Chrome sessions from hosting addresses: real browser fingerprint and headers, login → account → 20 products at a fixed 250 ms pace";

    public override void Generate(ScenarioContext context)
    {
        var ips = Enumerable.Range(0, 20).Select(_ => context.Data.Hosting.Next(context.Random)).ToArray();
        BrowserUserAgent ua;
        do
        {
            ua = context.Browser(desktop: true);
        }
        while (ua.Family != BrowserFamily.Chromium);

        var step = TimeSpan.FromMilliseconds(250);
        for (var s = 0; s < 200; s++)
        {
            var browser = new BrowserClient(context, ua, context.Data.Fingerprints.ForBrowser(BrowserFamily.Chromium, context.Random), ips[s % ips.Length], context.NewId("s_"));
            var t = context.Between(context.Start, context.End - TimeSpan.FromMinutes(2));
            var account = $"bot{s}@mailinator.com";
            context.Emit(browser.Api(t, "POST", "/api/auth/login", null, Json.Body(("username", account), ("password", "P@ssw0rd!")), 200, account));
            browser.Account = account;
            context.Emit(browser.Api(t += step, "GET", "/api/account", null, null, 200));
            context.Emit(browser.Api(t += step, "POST", "/api/account/select", null, Json.Body(("account", "checking")), 200));
            var id = context.Random.Next(1, DemoApiAnswers.MaxProductId - 20);
            for (var p = 0; p < 20; p++)
            {
                context.Emit(browser.Api(t += step, "GET", $"/api/products/{id + p}", null, null, 200));
            }
        }
    }
}
