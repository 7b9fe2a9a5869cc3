using Microsoft.AspNetCore.Builder;

namespace Bulwark.Gateway.Tests.Forwarder;

/// <summary>A started test upstream and its address; stopping it is disposing it.</summary>
internal sealed class RunningApp(WebApplication app) : IAsyncDisposable
{
    public Uri Address { get; } = new(GatewayHost.Addresses(app).Single());

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
