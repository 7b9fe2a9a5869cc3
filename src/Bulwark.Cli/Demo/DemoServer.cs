using System.Reflection;
using Bulwark.Core.Policy;
using Bulwark.Gateway;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Bulwark.Cli.Demo;

/// <summary>
/// Builds the process <c>bulwark serve</c> runs: the gateway. When the configuration routes nowhere (the embedded demo
/// policy, or a file without <c>Gateway:Routes</c>), the gateway proxies everything to the bundled demo API.
/// </summary>
internal static class DemoServer
{
    /// <summary>Where the demo listens when no <c>--urls</c> is given.</summary>
    public const string DefaultUrls = GatewayHost.DefaultUrls;

    /// <summary>Where the demo keeps its self-signed certificate (relative to the working directory).</summary>
    public static readonly string DemoCertificatePath = Path.Combine("data", "bulwark-demo-cert.pfx");

    /// <summary>The embedded default policy (samples/bulwark.json), as JSON text.</summary>
    public static string DefaultPolicyJson()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Bulwark.Cli.bulwark.json")
            ?? throw new InvalidOperationException("the embedded default policy is missing from this build");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>Loads the configuration the options name, or the embedded default.</summary>
    public static ConfigLoadResult LoadConfiguration(ServeOptions options) =>
        options.ConfigFile is null ? BulwarkConfigLoader.LoadJson(DefaultPolicyJson()) : BulwarkConfigLoader.LoadFile(options.ConfigFile);

    /// <summary>Whether these options run the bundled demo upstream (the configuration has no gateway routes).</summary>
    public static bool RunsDemoUpstream(BulwarkOptions options) => options.Gateway.Routes.Count == 0;

    /// <summary>Whether the demo needs its self-signed certificate: an https URL and no certificate configured.</summary>
    public static bool NeedsDemoCertificate(ServeOptions options, BulwarkOptions bulwarkOptions) =>
        (options.Urls ?? DefaultUrls).Contains("https://", StringComparison.OrdinalIgnoreCase) && bulwarkOptions.Gateway.Tls.CertificatePath is null;

    /// <summary>Builds the gateway application (not started).</summary>
    public static WebApplication Build(ServeOptions options, BulwarkOptions bulwarkOptions, Action<ILoggingBuilder>? logging = null)
    {
        var demo = RunsDemoUpstream(bulwarkOptions);
        var gatewayOptions = demo ? WithDemoCluster(bulwarkOptions) : bulwarkOptions;
        return GatewayHost.Build(new GatewaySettings
        {
            Options = gatewayOptions,
            ConfigFile = options.ConfigFile,
            Urls = options.Urls ?? DefaultUrls,
            DecisionLogPath = options.DecisionsFile,
            Certificate = NeedsDemoCertificate(options, bulwarkOptions) ? GatewayCertificates.LoadOrCreateSelfSigned(DemoCertificatePath, TimeProvider.System) : null,
            Logging = logging,
            ConfigureServices = demo ? services => services.AddHostedService(sp => new DemoUpstream(sp)) : null,
        });
    }

    /// <summary>The addresses the started application listens on.</summary>
    public static IReadOnlyList<string> Addresses(WebApplication app) => GatewayHost.Addresses(app);

    // Everything goes to the demo API; its address is filled in when it listens.
    private static BulwarkOptions WithDemoCluster(BulwarkOptions options) => options with
    {
        Gateway = options.Gateway with
        {
            Clusters = new Dictionary<string, GatewayClusterOptions>(StringComparer.OrdinalIgnoreCase) { [DemoUpstream.ClusterName] = new GatewayClusterOptions() },
            Routes = [new GatewayRouteOptions { PathPrefix = "/", Cluster = DemoUpstream.ClusterName }],
        },
    };
}
