namespace Bulwark.Core.Simulation.Scenarios;

/// <summary>Login attempts from one address that claim a fresh client address in X-Forwarded-For on every request.</summary>
internal sealed class ForwardedForSpoofing : Scenario
{
    public override string Name => "xff-spoofing";

    public override string Label => "attack:xff_spoofing";

    public override string Description => "2 logins/s for 10 minutes from one hosting address, each with a random residential X-Forwarded-For (no proxy is trusted)";

    public override void Generate(ScenarioContext context)
    {
        var ip = context.Data.Hosting.Next(context.Random);
        var client = context.NewScript(context.Browser(desktop: true).UserAgent);
        var start = context.Start + TimeSpan.FromMinutes(10);
        for (var t = start; t < start + TimeSpan.FromMinutes(10); t += TimeSpan.FromMilliseconds(400 + context.Random.Next(200)))
        {
            var account = context.NewId("v") + "@example.com";
            var spoofed = context.Data.Residential.Next(context.Random);
            context.Emit(client.Request(t, ip, "POST", "/api/auth/login", 401, body: Json.Body(("username", account), ("password", "123456")), account: account, accept: "application/json",
                perRequestHeaders: [new("x-forwarded-for", spoofed), new("x-real-ip", spoofed)]));
        }
    }
}
