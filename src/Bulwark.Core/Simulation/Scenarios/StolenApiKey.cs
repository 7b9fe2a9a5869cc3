namespace Bulwark.Core.Simulation.Scenarios;

/// <summary>The partner's API key used by someone else: Tor, VPN and residential addresses, reading user records.</summary>
internal sealed class StolenApiKey : Scenario
{
    public override string Name => "stolen-api-key";

    public override string Label => "attack:stolen_api_key";

    public override string Description => "the partner's API key used from Tor exits, VPN and residential addresses outside the partner's country, hopping networks and countries, 1.5 requests/s for 30 minutes";

    public override void Generate(ScenarioContext context)
    {
        var client = context.NewScript("python-requests/2.31.0");
        client.ExtraHeaders.Add(new("x-api-key", PartnerIntegration.ApiKey));
        var start = context.Start + TimeSpan.FromMinutes(20);
        var countries = context.Data.Countries;
        string? current = null;
        string Hop(AddressPool pool)
        {
            // A new network in a new country, never the partner's own.
            var ip = countries.Draw(pool, context.Random, c => c is not null && c != PartnerIntegration.HomeCountry && c != current);
            current = countries.Country(ip);
            return ip;
        }

        var ip = Hop(context.Data.Tor);
        for (var t = start; t < start + TimeSpan.FromMinutes(30); t += context.Exponential(TimeSpan.FromSeconds(1 / 1.5)))
        {
            if (context.Random.NextDouble() < 0.02)
            {
                // The holder hops networks now and then, as through a proxy list.
                ip = context.Random.Next(3) switch
                {
                    0 => Hop(context.Data.Tor),
                    1 => Hop(context.Data.Vpn),
                    _ => Hop(context.Data.Residential),
                };
            }

            var id = context.Random.Next(1, 1_200);
            context.Emit(client.Request(t, ip, "GET", $"/api/users/{id}", DemoApiAnswers.User(id), apiKey: PartnerIntegration.ApiKey, accept: "application/json"));
        }
    }
}
