namespace Bulwark.Core.Simulation.Scenarios;

/// <summary>Walks user ids in order from one hosting address at 290 a minute, just under the default 300/min catalogue limit.</summary>
internal sealed class IdEnumeration : Scenario
{
    private const int PerMinute = 290;

    public override string Name => "id-enumeration";

    public override string Label => "attack:enumeration";

    public override string Description => $"GET /api/users/1, 2, 3 … from one address at {PerMinute}/min (the default catalogue limit is 300/min) for 20 minutes; ids past 1,000 answer 404";

    public override void Generate(ScenarioContext context)
    {
        var ip = context.Data.Hosting.Next(context.Random);
        var client = context.NewScript(context.Browser(desktop: true).UserAgent);
        var gap = TimeSpan.FromMinutes(1) / PerMinute;
        var start = context.Start + TimeSpan.FromMinutes(5);
        for (var i = 0; i < PerMinute * 20; i++)
        {
            var id = i + 1;
            context.Emit(client.Request(start + (gap * i), ip, "GET", $"/api/users/{id}", DemoApiAnswers.User(id), accept: "application/json"));
        }
    }
}
