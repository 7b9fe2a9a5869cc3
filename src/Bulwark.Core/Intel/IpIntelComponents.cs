using Bulwark.Core.Pipeline;
using Bulwark.Core.Policy;

namespace Bulwark.Core.Intel;

/// <summary>The pipeline stages IP intelligence adds: the lookup enricher and the network and travel detectors.</summary>
public static class IpIntelComponents
{
    /// <summary>The enricher over <paramref name="lookup"/>.</summary>
    public static IEnricher[] Enrichers(IIpIntelLookup lookup, IpIntelOptions options) => [new IpIntelEnricher(lookup, options)];

    /// <summary>The detectors that read what the enricher found.</summary>
    public static IDetector[] Detectors(IpIntelOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return [new NetworkDetector(options), new ImpossibleTravelDetector(options.ImpossibleTravel)];
    }
}
