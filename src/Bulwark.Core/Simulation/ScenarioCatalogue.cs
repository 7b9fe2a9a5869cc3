using Bulwark.Core.Simulation.Scenarios;

namespace Bulwark.Core.Simulation;

/// <summary>Every scenario the simulator knows, legit first, in the order <c>--scenario list</c> shows them.</summary>
public static class ScenarioCatalogue
{
    /// <summary>The name that mixes every scenario on one timeline.</summary>
    public const string All = "all";

    /// <summary>The scenarios.</summary>
    public static IReadOnlyList<Scenario> Scenarios { get; } =
    [
        new BrowserUsers(),
        new CgnatMobileApp(),
        new CorporateVpn(),
        new PartnerIntegration(),
        new SearchCrawler(),
        new ResidentialProxyScrape(),
        new CredentialStuffing(),
        new BruteForce(),
        new IdEnumeration(),
        new StolenApiKey(),
        new MetronomeScraper(),
        new Layer7Flood(),
        new ForwardedForSpoofing(),
        new WindowBoundaryBurst(),
        new HoneypotProbing(),
        new OtpBombing(),
        new InventoryHoarding(),
        new HeadlessAutomation(),
    ];

    /// <summary>The scenarios a name selects (<see cref="All"/> for every one), or null when the name is unknown.</summary>
    public static IReadOnlyList<Scenario>? Select(string name) =>
        name == All ? Scenarios : Scenarios.FirstOrDefault(s => s.Name == name) is { } one ? [one] : null;
}
