namespace Bulwark.Core.Simulation.Scenarios;

/// <summary>Bursts straddling each minute boundary: a full window's worth just before it and again just after.</summary>
internal sealed class WindowBoundaryBurst : Scenario
{
    private const int PerBurst = 100;

    public override string Name => "window-boundary-burst";

    public override string Label => "attack:window_burst";

    public override string Description => $"every minute for 30 minutes, {PerBurst} product reads in the last 0.5 s before the minute and {PerBurst} in the first 0.5 s after, from one hosting address";

    public override void Generate(ScenarioContext context)
    {
        var ip = context.Data.Hosting.Next(context.Random);
        var client = context.NewScript("Go-http-client/2.0");
        var id = context.Random.Next(1, DemoApiAnswers.MaxProductId);
        for (var minute = 1; minute <= 30; minute++)
        {
            var boundary = context.Start + TimeSpan.FromMinutes(minute);
            for (var k = 0; k < 2 * PerBurst; k++)
            {
                var offset = TimeSpan.FromMilliseconds(k < PerBurst ? -500 + (k * 5) : (k - PerBurst) * 5);
                id = id % DemoApiAnswers.MaxProductId + 1;
                context.Emit(client.Request(boundary + offset, ip, "GET", $"/api/products/{id}", 200, accept: "application/json"));
            }
        }
    }
}
