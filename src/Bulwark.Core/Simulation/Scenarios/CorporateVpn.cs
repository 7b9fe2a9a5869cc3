namespace Bulwark.Core.Simulation.Scenarios;

/// <summary>Employees of one company behind its VPN exit: desktop browsers, one address, most arriving in the first half hour.</summary>
internal sealed class CorporateVpn : Scenario
{
    private const int Employees = 150;

    public override string Name => "corporate-vpn";

    public override string Label => "legit:corporate_vpn";

    public override string Description => $"{Employees} employees behind one corporate VPN exit, logging in in the first 30 minutes, then shopping";

    public override void Generate(ScenarioContext context)
    {
        var ip = context.Data.Vpn.Next(context.Random);
        for (var e = 0; e < Employees; e++)
        {
            var browser = context.NewBrowser(ip, desktop: true);
            var t = context.Between(context.Start, context.Start + TimeSpan.FromMinutes(30));
            t = HumanFlows.Account(context, browser, t, $"employee{e + 1}@corp.example");
            var rounds = 1 + context.Random.Next(3);
            for (var r = 0; r < rounds && t < context.End; r++)
            {
                t = HumanFlows.Shop(context, browser, t, loadHome: r == 0) + TimeSpan.FromMinutes(context.LogNormal(3, 0.8));
            }
        }
    }
}
