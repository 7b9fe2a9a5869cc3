using Bulwark.Core.Limits;
using Bulwark.Core.Lists;
using Bulwark.Core.Policy;
using Bulwark.Redis.Client;
using Bulwark.Redis.Limits;
using Bulwark.Redis.Lists;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Bulwark.AspNetCore;

/// <summary>
/// With <c>State:Store = "redis"</c>, keeps the engine's <see cref="BanList"/> in step with the bans shared through Redis
/// (see <see cref="RedisBanSync"/>, which the application resolves to add or lift bans on every gateway). Does nothing
/// with the memory store. Startup never waits for Redis.
/// </summary>
internal sealed class SharedBansService(IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (services.GetRequiredService<BulwarkOptions>().State.Store == "redis")
        {
            services.GetRequiredService<RedisBanSync>().Start();
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The sync for the configured Redis, writing through the counter store's client.</summary>
    public static RedisBanSync Create(IServiceProvider services)
    {
        var state = services.GetRequiredService<BulwarkOptions>().State;
        if (state.Store != "redis" || state.Redis.Connection is null)
        {
            throw new InvalidOperationException("Shared bans need State:Store \"redis\" and State:Redis:Connection; with the memory store use BanList directly.");
        }

        var endpoint = RedisEndpoint.Parse(state.Redis.Connection);
        var client = services.GetRequiredService<ICounterStore>() is RedisCounterStore store ? store.Client : new RedisClient(endpoint);
        return new RedisBanSync(
            endpoint,
            client,
            services.GetRequiredService<BanList>(),
            state.Redis.KeyPrefix,
            services.GetRequiredService<TimeProvider>(),
            services.GetService<ILogger<RedisBanSync>>());
    }
}
