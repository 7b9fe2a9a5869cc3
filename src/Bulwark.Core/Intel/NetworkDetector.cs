using System.Collections.Frozen;
using System.Globalization;
using Bulwark.Core.Pipeline;
using Bulwark.Core.Policy;

namespace Bulwark.Core.Intel;

/// <summary>
/// Signals from what the network of the client address is. Default weights, each overridable per policy:
/// <c>hosting_network</c> 25 (only on policies marked <c>Consumer</c>: people do not browse from datacenters),
/// <c>tor_exit</c> 45, <c>vpn</c> 15, <c>open_proxy</c> 35, <c>asn_reputation</c> (the configured score of the ASN),
/// <c>country_not_allowed</c> 70 (the policy's country rules), and <c>asn_abuse_seen</c> 20 for an ASN from which at
/// least <see cref="AbuseThreshold"/> requests were refused (challenged or blocked) within the last hour — the system
/// learning which networks attack it. Learned ASNs are bounded (<see cref="MaxLearnedAsns"/>; the quietest are dropped).
/// </summary>
public sealed class NetworkDetector : IDetector
{
    /// <summary>Refusals from one ASN within an hour that mark it as seen abusing.</summary>
    public const int AbuseThreshold = 100;

    /// <summary>Most ASNs whose refusals are counted at once.</summary>
    public const int MaxLearnedAsns = 10_000;

    private static readonly long Hour = TimeSpan.TicksPerHour;

    private readonly FrozenDictionary<long, int> _asnScores;
    private readonly FrozenDictionary<string, FrozenSet<string>> _keyCountries;
    private readonly Lock _gate = new();
    private readonly Dictionary<long, AbuseWindow> _refusals = [];

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
        _keyCountries = options.KeyCountries.ToFrozenDictionary(
            p => p.Key,
            p => p.Value.ToFrozenSet(StringComparer.OrdinalIgnoreCase),
            StringComparer.Ordinal);
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

        if (network.Asn != 0 && IsSeenAbusing(network.Asn, request.Timestamp.UtcTicks))
        {
            context.AddSignal("asn_abuse_seen", 20, string.Create(CultureInfo.InvariantCulture, $"AS{network.Asn} sent at least {AbuseThreshold} refused requests within the last hour"));
        }

        if (network.Country is { } country)
        {
            if (context.Policy.IsCountryRefused(country))
            {
                context.AddSignal("country_not_allowed", 70, $"requests from {country} are not allowed on this route");
            }
            else if (request.ApiKey is { } apiKey && _keyCountries.Count != 0 && KeyCountries(apiKey) is { } allowed && !allowed.Contains(country))
            {
                context.AddSignal("country_not_allowed", 70, $"this API key is not allowed from {country}");
            }
        }
    }

    /// <inheritdoc />
    public void Observe(RequestContext request, Decisions.Decision decision, int statusCode, TimeSpan latency)
    {
        if (decision.Actor.Asn is not { } asn || decision.Action is not (Decisions.DecisionAction.Block or Decisions.DecisionAction.Challenge))
        {
            return;
        }

        var now = request.Timestamp.UtcTicks;
        lock (_gate)
        {
            if (!_refusals.TryGetValue(asn, out var window))
            {
                if (_refusals.Count >= MaxLearnedAsns)
                {
                    DropQuietestUnsynchronized();
                }

                window = new AbuseWindow();
                _refusals[asn] = window;
            }

            window.Add(now);
        }
    }

    private bool IsSeenAbusing(long asn, long now)
    {
        lock (_gate)
        {
            return _refusals.TryGetValue(asn, out var window) && window.Count(now) >= AbuseThreshold;
        }
    }

    private void DropQuietestUnsynchronized()
    {
        // Rare (only when 10,000 ASNs are tracked): drop the quarter with the fewest refusals.
        var quiet = _refusals.OrderBy(p => p.Value.Total).Take(MaxLearnedAsns / 4).Select(p => p.Key).ToList();
        foreach (var key in quiet)
        {
            _refusals.Remove(key);
        }
    }

    /// <summary>Refusals in the current and previous hour, weighted like the sliding window limiter.</summary>
    private sealed class AbuseWindow
    {
        private long _hour;
        private long _current;
        private long _previous;

        public long Total => _current + _previous;

        public void Add(long now)
        {
            Roll(now);
            _current++;
        }

        public long Count(long now)
        {
            Roll(now);
            var elapsed = (double)(now % Hour) / Hour;
            return _current + (long)(_previous * (1 - elapsed));
        }

        private void Roll(long now)
        {
            var hour = now / Hour;
            if (hour == _hour)
            {
                return;
            }

            _previous = hour == _hour + 1 ? _current : 0;
            _current = 0;
            _hour = hour;
        }
    }

    private FrozenSet<string>? KeyCountries(string apiKey)
    {
        if (_keyCountries.TryGetValue(apiKey, out var countries))
        {
            return countries;
        }

        Span<byte> hash = stackalloc byte[32];
        System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(apiKey), hash);
        return _keyCountries.GetValueOrDefault("sha256-" + Convert.ToHexStringLower(hash));
    }
}
