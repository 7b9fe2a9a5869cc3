namespace Bulwark.Core.Simulation.Scenarios;

/// <summary>One victim's phone number flooded with one-time codes, requested from rotating residential addresses.</summary>
internal sealed class OtpBombing : Scenario
{
    /// <summary>The victim's number.</summary>
    public const string Phone = "+1 555 010 4477";

    public override string Name => "otp-bombing";

    public override string Label => "attack:otp_bombing";

    public override string Description => $"POST /api/otp/send for one phone number ({Phone}) every ~3 s for 30 minutes, from 300 rotating residential addresses";

    public override void Generate(ScenarioContext context)
    {
        var ips = Enumerable.Range(0, 300).Select(_ => context.Data.Residential.Next(context.Random)).ToArray();
        var client = context.NewScript(context.Browser().UserAgent);
        var start = context.Start + TimeSpan.FromMinutes(15);
        for (var t = start; t < start + TimeSpan.FromMinutes(30); t += context.Exponential(TimeSpan.FromSeconds(3)))
        {
            context.Emit(client.Request(t, ips[context.Random.Next(ips.Length)], "POST", "/api/otp/send", 202, body: Json.Body(("phone", Phone)), accept: "application/json"));
        }
    }
}
