namespace Bulwark.Core.Simulation.Scenarios;

/// <summary>
/// A catalogue scrape through a residential proxy network: one request per address (the count is
/// <see cref="SimulationOptions.ProxyAddresses"/>), walking product ids in order, one HTTP library's TLS fingerprint
/// under browser User-Agents rotated per request.
/// </summary>
internal sealed class ResidentialProxyScrape : Scenario
{
    public override string Name => "residential-proxy-scrape";

    public override string Label => "attack:scraping_residential";

    public override string Description => "catalogue scrape, one request per residential proxy address (--proxy-addresses, default 100,000), library TLS, rotating browser User-Agents";

    public override void Generate(ScenarioContext context)
    {
        var count = context.Options.ProxyAddresses;
        var client = context.NewScript("");
        var id = context.Random.Next(1, DemoApiAnswers.MaxProductId);
        var step = context.Options.Duration / Math.Max(1, count);
        for (var i = 0; i < count; i++)
        {
            client.UserAgent = context.Browser().UserAgent;
            id = id % DemoApiAnswers.MaxProductId + 1;
            var t = context.Start + (step * (i + context.Random.NextDouble()));
            context.Emit(client.Request(t, context.Data.Residential.Next(context.Random), "GET", $"/api/products/{id}", 200, accept: "application/json"));
        }
    }
}
