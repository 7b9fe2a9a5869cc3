namespace Bulwark.Core.Simulation.Scenarios;

/// <summary>Shoppers in real browsers on residential and mobile networks, following the shop's flows with human pauses.</summary>
internal sealed class BrowserUsers : Scenario
{
    private const int Sessions = 1_500;

    public override string Name => "browser-users";

    public override string Label => "legit:browser";

    public override string Description => $"{Sessions:N0} browser sessions over the hour (home → search → products → cart; login → account → select), residential/mobile addresses";

    public override void Generate(ScenarioContext context)
    {
        for (var i = 0; i < Sessions; i++)
        {
            var ua = context.Browser();
            var pool = ua.Mobile && context.Random.NextDouble() < 0.6 ? context.Data.Mobile : context.Data.Residential;
            var browser = new BrowserClient(context, ua, context.Data.Fingerprints.ForBrowser(ua.Family, context.Random), pool.Next(context.Random), context.NewId("s_"));
            var t = context.Between(context.Start, context.End - TimeSpan.FromMinutes(10));
            t = context.Random.NextDouble() < 0.65
                ? HumanFlows.Shop(context, browser, t)
                : HumanFlows.Account(context, browser, t, $"user{context.Random.Next(1, 200_000)}@example.com");
            if (context.Random.NextDouble() < 0.3)
            {
                HumanFlows.Shop(context, browser, t, loadHome: false);
            }
        }
    }
}
