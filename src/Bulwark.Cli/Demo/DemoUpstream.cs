using Bulwark.Gateway;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Bulwark.Cli.Demo;

/// <summary>
/// The demo API as the gateway's bundled upstream: a second Kestrel application in the same process on a free loopback
/// port, started before the gateway listens (hosted services start before the server) and handed to the "demo" cluster.
/// </summary>
internal sealed class DemoUpstream(IServiceProvider gatewayServices) : IHostedService, IAsyncDisposable
{
    /// <summary>The cluster the demo routes everything to.</summary>
    public const string ClusterName = "demo";

    private WebApplication? _app;

    /// <summary>Where the demo API listens once started.</summary>
    public Uri? Address { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.WebHost.ConfigureKestrel(k => k.AddServerHeader = false);
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapDemoApi();
        await _app.StartAsync(cancellationToken).ConfigureAwait(false);
        Address = new Uri(GatewayHost.Addresses(_app).Single());
        GatewayHost.SetDestinations(gatewayServices, ClusterName, [Address]);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
        {
            await _app.StopAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync().ConfigureAwait(false);
        }
    }
}
