using Bulwark.Core.Pipeline;
using Bulwark.Core.Policy;

namespace Bulwark.Core.Intel;

/// <summary>
/// Looks the client address up in the local IP intelligence database and puts the request into risk tiers by network
/// kind: <c>residential</c>, <c>mobile</c>, <c>hosting</c>, <c>vpn</c>, <c>tor</c>, <c>proxy</c>, <c>bogon</c>, <c>private</c>,
/// and <c>partner</c> for a configured partner ASN (which then gets no <c>hosting</c> tier). Tiered limits pick their
/// rate from these (for example 5/min for <c>hosting</c> where the base rate is 60/min).
/// </summary>
public sealed class IpIntelEnricher : IEnricher
{
    private readonly IIpIntelLookup _lookup;
    private readonly HashSet<long> _partners;

    /// <summary>Creates the enricher over <paramref name="lookup"/> with the partner ASNs of <paramref name="options"/>.</summary>
    public IpIntelEnricher(IIpIntelLookup lookup, IpIntelOptions options)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        ArgumentNullException.ThrowIfNull(options);
        _lookup = lookup;
        _partners = [.. options.PartnerAsns];
    }

    /// <inheritdoc />
    public void Enrich(RequestContext request, EvaluationContext context)
    {
        var info = _lookup.Lookup(request.ClientIp);
        if (!info.IsKnown)
        {
            return;
        }

        var kinds = info.Kinds;
        if (info.Asn != 0 && _partners.Contains(info.Asn))
        {
            kinds &= ~NetworkKind.Hosting;
            info = info with { Kinds = kinds };
            context.AddTier("partner");
        }

        context.Network = info;
        if (info.Asn != 0)
        {
            context.Asn = info.Asn;
        }

        context.Country = info.Country;
        AddTier(context, kinds, NetworkKind.Residential, "residential");
        AddTier(context, kinds, NetworkKind.Mobile, "mobile");
        AddTier(context, kinds, NetworkKind.Hosting, "hosting");
        AddTier(context, kinds, NetworkKind.Vpn, "vpn");
        AddTier(context, kinds, NetworkKind.Tor, "tor");
        AddTier(context, kinds, NetworkKind.Proxy, "proxy");
        AddTier(context, kinds, NetworkKind.Bogon, "bogon");
        AddTier(context, kinds, NetworkKind.Private, "private");
    }

    private static void AddTier(EvaluationContext context, NetworkKind kinds, NetworkKind kind, string tier)
    {
        if ((kinds & kind) != 0)
        {
            context.AddTier(tier);
        }
    }
}
