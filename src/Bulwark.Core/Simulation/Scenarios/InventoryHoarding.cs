namespace Bulwark.Core.Simulation.Scenarios;

/// <summary>Bots holding a limited drop in carts: bursts of add-to-cart at the maximum quantity from many sessions.</summary>
internal sealed class InventoryHoarding : Scenario
{
    private const string Sku = "SKU-LIMITED-DROP-2026";

    public override string Name => "inventory-hoarding";

    public override string Label => "attack:inventory_hoarding";

    public override string Description => $"every 2 minutes, 50 bot sessions on 10 hosting addresses each add {Sku} ×10 ten times within 2 s";

    public override void Generate(ScenarioContext context)
    {
        var ips = Enumerable.Range(0, 10).Select(_ => context.Data.Hosting.Next(context.Random)).ToArray();
        var client = context.NewScript(context.Browser(desktop: true).UserAgent);
        for (var wave = context.Start + TimeSpan.FromMinutes(1); wave < context.End; wave += TimeSpan.FromMinutes(2))
        {
            for (var s = 0; s < 50; s++)
            {
                var session = context.NewId("h_");
                var ip = ips[s % ips.Length];
                for (var k = 0; k < 10; k++)
                {
                    var t = wave + TimeSpan.FromMilliseconds(context.Random.Next(2000));
                    context.Emit(client.Request(t, ip, "POST", "/api/cart/items", 201, body: Json.Body(("sku", Sku), ("qty", 10)), session: session, accept: "application/json",
                        perRequestHeaders: [new("cookie", "session=" + session)]));
                }
            }
        }
    }
}
