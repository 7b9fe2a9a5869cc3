namespace Bulwark.Core.Simulation.Scenarios;

/// <summary>Googlebot from Google's crawl network, fetching the home page and product pages every few seconds.</summary>
internal sealed class SearchCrawler : Scenario
{
    public override string Name => "search-crawler";

    public override string Label => "legit:crawler";

    public override string Description => "a verified search crawler (Googlebot User-Agents, addresses in Google's AS15169 crawl ranges), one fetch every ~3 s";

    public override void Generate(ScenarioContext context)
    {
        var ips = Enumerable.Range(0, 4).Select(_ => context.Data.SearchCrawler.Next(context.Random)).ToArray();
        var agents = context.Data.CrawlerUserAgents;
        var client = context.NewScript(agents[0]);
        client.ExtraHeaders.Add(new("from", "googlebot(at)googlebot.com"));
        for (var t = context.Start + context.Exponential(TimeSpan.FromSeconds(3)); t < context.End; t += context.Exponential(TimeSpan.FromSeconds(3)))
        {
            client.UserAgent = agents[context.Random.Next(agents.Count)];
            var ip = ips[context.Random.Next(ips.Length)];
            const string Html = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
            if (context.Random.NextDouble() < 0.05)
            {
                context.Emit(client.Request(t, ip, "GET", "/", 200, accept: Html));
            }
            else
            {
                var id = context.Random.Next(1, DemoApiAnswers.MaxProductId + 1);
                context.Emit(client.Request(t, ip, "GET", $"/api/products/{id}", 200, accept: Html));
            }
        }
    }
}
