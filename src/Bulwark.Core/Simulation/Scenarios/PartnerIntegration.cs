namespace Bulwark.Core.Simulation.Scenarios;

/// <summary>A partner's catalogue sync: one cloud address, an API key, three product reads a second, steadily, all hour.</summary>
internal sealed class PartnerIntegration : Scenario
{
    /// <summary>The partner's API key (also what the stolen-key scenario uses).</summary>
    public const string ApiKey = "pk_live_acme_7f3a9c2e5b1d4a60";

    /// <summary>The country of the partner's cloud address.</summary>
    public const string HomeCountry = "US";

    private const double PerSecond = 3;

    public override string Name => "partner-integration";

    public override string Label => "legit:partner";

    public override string Description => $"a partner's catalogue sync from one cloud address in {HomeCountry} with an API key, {PerSecond:0} requests/s steady";

    public override void Generate(ScenarioContext context)
    {
        var ip = context.Data.Countries.Draw(context.Data.Hosting, context.Random, country => country == HomeCountry);
        var client = context.NewScript("acme-catalog-sync/3.4.1 Go-http-client/2.0");
        client.ExtraHeaders.Add(new("x-api-key", ApiKey));
        var id = context.Random.Next(1, DemoApiAnswers.MaxProductId);
        var gap = TimeSpan.FromSeconds(1 / PerSecond);
        for (var t = context.Start + TimeSpan.FromMilliseconds(context.Random.Next(1000)); t < context.End; t += gap * (0.9 + (0.2 * context.Random.NextDouble())))
        {
            id = id % DemoApiAnswers.MaxProductId + 1;
            context.Emit(client.Request(t, ip, "GET", $"/api/products/{id}", 200, apiKey: ApiKey, accept: "application/json"));
        }
    }
}
