using Bulwark.Core.Audit;
using Bulwark.Core.Limits;
using Bulwark.Core.Pipeline;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Bulwark.AspNetCore;

/// <summary>Richer set-up after <see cref="BulwarkServiceCollectionExtensions.AddBulwark"/>: detectors, enrichers, stores.</summary>
public sealed class BulwarkBuilder
{
    internal BulwarkBuilder(IServiceCollection services) => Services = services;

    /// <summary>The service collection.</summary>
    public IServiceCollection Services { get; }

    /// <summary>Adds a detector (a singleton), run after the built-in ones.</summary>
    public BulwarkBuilder AddDetector<TDetector>()
        where TDetector : class, IDetector
    {
        Services.AddSingleton<IDetector, TDetector>();
        return this;
    }

    /// <summary>Adds an enricher (a singleton), run in registration order.</summary>
    public BulwarkBuilder AddEnricher<TEnricher>()
        where TEnricher : class, IEnricher
    {
        Services.AddSingleton<IEnricher, TEnricher>();
        return this;
    }

    /// <summary>Replaces the in-memory counter store.</summary>
    public BulwarkBuilder UseCounterStore<TStore>()
        where TStore : class, ICounterStore
    {
        Services.Replace(ServiceDescriptor.Singleton<ICounterStore, TStore>());
        return this;
    }

    /// <summary>Adds a sink that receives every decision.</summary>
    public BulwarkBuilder AddDecisionSink(IDecisionSink sink)
    {
        Services.AddSingleton(sink);
        return this;
    }
}
