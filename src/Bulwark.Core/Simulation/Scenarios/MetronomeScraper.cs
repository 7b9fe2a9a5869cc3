namespace Bulwark.Core.Simulation.Scenarios;

/// <summary>A low-and-slow scraper: one residential address, one product every 15 s to the millisecond, all hour.</summary>
internal sealed class MetronomeScraper : Scenario
{
    public override string Name => "metronome-scraper";

    public override string Label => "attack:low_and_slow";

    public override string Description => "one residential address fetching the next product every 15.000 s (±2 ms) for the hour: far under every rate limit";

    public override void Generate(ScenarioContext context)
    {
        var ip = context.Data.Residential.Next(context.Random);
        var client = context.NewScript(context.Browser(desktop: true).UserAgent);
        var id = context.Random.Next(1, DemoApiAnswers.MaxProductId);
        for (var t = context.Start + TimeSpan.FromSeconds(7); t < context.End; t += TimeSpan.FromMilliseconds(15_000 + context.Random.Next(-2, 3)))
        {
            id = id % DemoApiAnswers.MaxProductId + 1;
            context.Emit(client.Request(t, ip, "GET", $"/api/products/{id}", 200, accept: "application/json"));
        }
    }
}
