namespace Bulwark.Core.Simulation.Scenarios;

/// <summary>A layer-7 flood from a botnet: many addresses, two cache-busting searches each, in a five-minute wave.</summary>
internal sealed class Layer7Flood : Scenario
{
    public override string Name => "l7-flood";

    public override string Label => "attack:flood";

    public override string Description => "a five-minute wave of cache-busting searches, two per address from --flood-addresses (default 100,000) residential and hosting addresses";

    public override void Generate(ScenarioContext context)
    {
        var client = context.NewScript("");
        var start = context.Start + TimeSpan.FromMinutes(40);
        for (var a = 0; a < context.Options.FloodAddresses; a++)
        {
            var ip = context.Random.NextDouble() < 0.6 ? context.Data.Residential.Next(context.Random) : context.Data.Hosting.Next(context.Random);
            client.UserAgent = context.Browser().UserAgent;
            for (var k = 0; k < 2; k++)
            {
                var t = context.Between(start, start + TimeSpan.FromMinutes(5));
                context.Emit(client.Request(t, ip, "GET", "/api/search", 200, query: "q=" + context.NewId(""), accept: "application/json", latency: 400));
            }
        }
    }
}
