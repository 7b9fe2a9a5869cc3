namespace Bulwark.Core.Simulation.Scenarios;

/// <summary>Password guessing against one account from three hosting addresses, about one guess a second.</summary>
internal sealed class BruteForce : Scenario
{
    /// <summary>The one account attacked.</summary>
    public const string Target = "ceo@shop.example";

    public override string Name => "brute-force";

    public override string Label => "attack:brute_force";

    public override string Description => $"password guessing on one account ({Target}) from 3 hosting addresses, ~1 guess/s for the hour";

    public override void Generate(ScenarioContext context)
    {
        var ips = Enumerable.Range(0, 3).Select(_ => context.Data.Hosting.Next(context.Random)).ToArray();
        var client = context.NewScript("python-requests/2.32.3");
        var n = 0;
        for (var t = context.Start + context.Exponential(TimeSpan.FromSeconds(1)); t < context.End; t += context.Exponential(TimeSpan.FromSeconds(1)))
        {
            context.Emit(client.Request(t, ips[n % ips.Length], "POST", "/api/auth/login", 401, body: Json.Body(("username", Target), ("password", $"guess{n++:D6}")), account: Target, accept: "application/json"));
        }
    }
}
