using System.Collections.Frozen;
using System.Globalization;
using Bulwark.Core.Pipeline;
using Bulwark.Core.Policy;

namespace Bulwark.Core.Intel;

/// <summary>
/// Signals from what the network of the client address is. Default weights, each overridable per policy:
/// <c>hosting_network</c> 25 (only on policies marked <c>Consumer</c>: people do not browse from datacenters),
/// <c>tor_exit</c> 45, <c>vpn</c> 15, <c>open_proxy</c> 35, <c>asn_reputation</c> (the configured score of the ASN),
/// <c>country_not_allowed</c> 70 (the policy's country rules).
/// </summary>
public sealed class NetworkDetector : IDetector
{
    private readonly FrozenDictionary<long, int> _asnScores;

    /// <summary>Creates the detector with the ASN scores of <paramref name="options"/>.</summary>
    public NetworkDetector(IpIntelOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var scores = new Dictionary<long, int>();
        foreach (var (asn, score) in options.AsnScores)
        {
            if (AsnText.Parse(asn) is { } number)
            {
                scores[number] = score;
            }
        }

        _asnScores = scores.ToFrozenDictionary();
    }

    /// <inheritdoc />
    public void Detect(RequestContext request, EvaluationContext context)
    {
        var network = context.Network;
        if (!network.IsKnown)
        {
            return;
        }

        var kinds = network.Kinds;
        if ((kinds & NetworkKind.Tor) != 0)
        {
            context.AddSignal("tor_exit", 45, "address is a Tor exit relay");
        }

        if ((kinds & NetworkKind.Proxy) != 0)
        {
            context.AddSignal("open_proxy", 35, "address is an open proxy");
        }

        if ((kinds & NetworkKind.Vpn) != 0)
        {
            context.AddSignal("vpn", 15, "address is a commercial VPN exit");
        }

        if ((kinds & NetworkKind.Hosting) != 0 && context.Policy.Consumer)
        {
            context.AddSignal("hosting_network", 25, network.Asn != 0
                ? string.Create(CultureInfo.InvariantCulture, $"hosting network AS{network.Asn} ({network.Organisation}) on a consumer route")
                : "hosting network on a consumer route");
        }

        if (network.Asn != 0 && _asnScores.Count != 0 && _asnScores.TryGetValue(network.Asn, out var score))
        {
            context.AddSignal("asn_reputation", score, string.Create(CultureInfo.InvariantCulture, $"AS{network.Asn} has a configured reputation score of {score}"));
        }

        if (network.Country is { } country && context.Policy.IsCountryRefused(country))
        {
            context.AddSignal("country_not_allowed", 70, $"requests from {country} are not allowed on this route");
        }
    }
}
