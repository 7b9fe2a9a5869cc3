namespace Bulwark.Core.Simulation.Scenarios;

/// <summary>Leaked credential pairs tried against many accounts from thousands of addresses, a few tries per address.</summary>
internal sealed class CredentialStuffing : Scenario
{
    private const int Addresses = 5_000;
    private const int TriesPerAddress = 4;

    public override string Name => "credential-stuffing";

    public override string Label => "attack:credential_stuffing";

    public override string Description => $"{Addresses * TriesPerAddress:N0} logins with leaked pairs, one account each, from {Addresses:N0} residential and hosting addresses ({TriesPerAddress} per address); 0.5 % succeed";

    public override void Generate(ScenarioContext context)
    {
        var client = context.NewScript(context.Browser(desktop: true).UserAgent);
        string[] domains = ["gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "aol.com", "gmx.de", "mail.ru", "web.de"];
        for (var a = 0; a < Addresses; a++)
        {
            var ip = context.Random.NextDouble() < 0.7 ? context.Data.Residential.Next(context.Random) : context.Data.Hosting.Next(context.Random);
            for (var k = 0; k < TriesPerAddress; k++)
            {
                var account = $"{context.NewId("u")}@{domains[context.Random.Next(domains.Length)]}";
                var success = context.Random.NextDouble() < 0.005;
                var t = context.Between(context.Start, context.End);
                context.Emit(client.Request(t, ip, "POST", "/api/auth/login", DemoApiAnswers.Login(success), body: Json.Body(("username", account), ("password", "Summer2024!")), account: account, accept: "application/json"));
            }
        }
    }
}
