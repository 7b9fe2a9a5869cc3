using System.Diagnostics.Metrics;
using Bulwark.Core;
using Bulwark.Core.Audit;
using Bulwark.Core.Identity;
using Bulwark.Core.Behavior;
using Bulwark.Core.Intel;
using Bulwark.Core.Limits;
using Bulwark.Core.Lists;
using Bulwark.Core.Pipeline;
using Bulwark.Core.Policy;
using Bulwark.Redis.Client;
using Bulwark.Redis.Limits;
using Bulwark.Redis.Lists;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Bulwark.AspNetCore;

/// <summary>Registers Bulwark in an ASP.NET Core application.</summary>
public static class BulwarkServiceCollectionExtensions
{
    /// <summary>
    /// Adds the Bulwark engine with its configuration (see <see cref="BulwarkSetup"/> for where it comes from). Pair with
    /// <see cref="BulwarkApplicationBuilderExtensions.UseBulwark"/>. An invalid configuration fails at startup with
    /// every error listed.
    /// </summary>
    public static BulwarkBuilder AddBulwark(this IServiceCollection services, Action<BulwarkSetup>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var setup = new BulwarkSetup();
        configure?.Invoke(setup);
        services.AddSingleton(setup);
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.TryAddSingleton(sp => new BulwarkMetrics(sp.GetService<IMeterFactory>()));
        services.TryAddSingleton(_ => new BanList());
        services.TryAddSingleton(sp => LoadOptions(setup, sp.GetService<IConfiguration>()));
        services.TryAddSingleton<ICounterStore>(CreateCounterStore);
        services.TryAddSingleton(SharedBansService.Create);
        services.AddHostedService<SharedBansService>();
        services.TryAddSingleton<IIpIntelLookup>(sp =>
        {
            var options = sp.GetRequiredService<BulwarkOptions>();
            if (options.IpIntel.Database is not { } path)
            {
                return IpIntelDatabase.Empty;
            }

            var logger = sp.GetRequiredService<ILoggerFactory>().CreateLogger("Bulwark.IpIntel");
            var provider = new IpIntelProvider(path, sp.GetRequiredService<TimeProvider>());
            provider.Reloaded += (_, _) => IpIntelLog.Reloaded(logger, path, provider.Current.RangeCountV4 + provider.Current.RangeCountV6);
            provider.ReloadFailed += (_, e) => IpIntelLog.Refused(logger, path, e.Error.Message);
            if (provider.LastError is { } error)
            {
                IpIntelLog.Refused(logger, path, error.Message);
            }

            return provider;
        });
        services.TryAddSingleton(sp => ClientIdentity.Create(sp.GetRequiredService<BulwarkOptions>().Fingerprints));
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<BulwarkOptions>();
            var lookup = sp.GetRequiredService<IIpIntelLookup>();
            var enrichers = options.IpIntel.Database is null ? sp.GetServices<IEnricher>() : IpIntelComponents.Enrichers(lookup, options.IpIntel).Concat(sp.GetServices<IEnricher>());
            var detectors = BulwarkEngine.DefaultDetectors()
                .Concat(options.IpIntel.Database is null ? [] : IpIntelComponents.Detectors(options.IpIntel))
                .Concat(ClientIdentityComponents.Detectors(sp.GetRequiredService<ClientIdentity>()))
                .Concat(BehaviorComponents.Detectors(options, sp.GetRequiredService<BanList>()))
                .Concat(sp.GetServices<IDetector>());
            var store = sp.GetRequiredService<ICounterStore>();

            // A shared store can fail: fail-open policies then count locally, at this gateway's share of each limit.
            var fallback = store is ISynchronousCounterStore ? null : new InMemoryCounterStore(options.State.Memory.MaxEntries);
            return new BulwarkEngine(
                options,
                store,
                enrichers,
                detectors,
                sp.GetService<IScorer>(),
                sp.GetRequiredService<BanList>(),
                sp.GetRequiredService<BulwarkMetrics>(),
                sp.GetService<ILogger<BulwarkEngine>>(),
                fallback,
                options.State.Redis.FallbackShare);
        });

        if (setup.DecisionLogPath is { } path)
        {
            services.AddSingleton<IDecisionSink>(sp => new JsonLinesDecisionWriter(path, sp.GetRequiredService<BulwarkOptions>().Privacy));
        }

        if (setup.Options is null && setup.ConfigFile is not null && setup.WatchConfigFile)
        {
            services.AddHostedService<BulwarkConfigReloader>();
        }

        return new BulwarkBuilder(services);
    }

    /// <summary>The store <c>State:Store</c> names: in memory, or Redis (connections open on first use, so startup never waits for Redis).</summary>
    private static ICounterStore CreateCounterStore(IServiceProvider services)
    {
        var state = services.GetRequiredService<BulwarkOptions>().State;
        if (state.Store != "redis")
        {
            return new InMemoryCounterStore(state.Memory.MaxEntries);
        }

        var redis = state.Redis;
        var time = services.GetRequiredService<TimeProvider>();
        var endpoint = RedisEndpoint.Parse(redis.Connection ?? throw new BulwarkConfigurationException("State:Store is \"redis\" but State:Redis:Connection is not set."));
        var store = new RedisCounterStore(
            new RedisClient(endpoint, time),
            new RedisCounterStoreOptions { KeyPrefix = redis.KeyPrefix, Budget = TimeSpan.FromMilliseconds(redis.BudgetMs), RefusalCacheEntries = redis.RefusalCacheEntries },
            ownsClient: true,
            time,
            services.GetService<ILogger<RedisCounterStore>>(),
            services.GetService<IMeterFactory>());
        _ = store.WarmUpAsync();
        return store;
    }

    private static BulwarkOptions LoadOptions(BulwarkSetup setup, IConfiguration? appConfiguration)
    {
        if (setup.Options is not null)
        {
            return setup.Options;
        }

        if (setup.ConfigFile is not null)
        {
            var loaded = BulwarkConfigLoader.LoadFile(setup.ConfigFile);
            return loaded.Options ?? throw new BulwarkConfigurationException(setup.ConfigFile, loaded.Errors);
        }

        var configuration = setup.Configuration ?? appConfiguration
            ?? throw new BulwarkConfigurationException("Bulwark has no configuration: set BulwarkSetup.Options, ConfigFile or Configuration, or add a \"Bulwark\" section to the application's configuration.");
        var read = BulwarkConfigReader.Read(configuration);
        return read.Options ?? throw new BulwarkConfigurationException("application configuration", read.Errors);
    }
}
