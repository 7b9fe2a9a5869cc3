using System.Reflection;
using Bulwark.AspNetCore;
using Bulwark.Core.Policy;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Bulwark.Cli.Demo;

/// <summary>Builds the process <c>bulwark serve</c> runs: the demo API behind the Bulwark middleware.</summary>
internal static class DemoServer
{
    /// <summary>Where the demo listens when no <c>--urls</c> is given.</summary>
    public const string DefaultUrls = "http://127.0.0.1:5080";

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

    /// <summary>Builds the web application (not started).</summary>
    public static WebApplication Build(ServeOptions options, BulwarkOptions bulwarkOptions, Action<ILoggingBuilder>? logging = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.WebHost.UseUrls(options.Urls ?? DefaultUrls);
        builder.Logging.ClearProviders();
        if (logging is null)
        {
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss ";
            });
            builder.Logging.SetMinimumLevel(LogLevel.Information);
            builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
            builder.Logging.AddFilter("Microsoft.Hosting", LogLevel.Warning);
        }
        else
        {
            logging(builder.Logging);
        }

        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        builder.Services.AddBulwark(setup =>
        {
            setup.Options = bulwarkOptions;
            setup.DecisionLogPath = options.DecisionsFile;
            if (options.ConfigFile is not null)
            {
                setup.ConfigFile = options.ConfigFile;
                setup.Options = null;
            }
        });

        var app = builder.Build();
        app.UseRouting();
        app.UseBulwark();
        app.MapDemoApi();
        return app;
    }

    /// <summary>The addresses the started application listens on.</summary>
    public static IReadOnlyList<string> Addresses(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToArray() ?? [];
}
