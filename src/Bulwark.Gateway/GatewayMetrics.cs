using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Bulwark.Core;
using Bulwark.Gateway.Forwarder;
using Bulwark.Gateway.Routing;

namespace Bulwark.Gateway;

/// <summary>The gateway's instruments, on the same <c>Bulwark</c> meter as the engine's.</summary>
internal sealed class GatewayMetrics : IDisposable
{
    private static readonly string[] OutcomeNames = Enum.GetValues<ForwardOutcome>().Select(OutcomeName).ToArray();

    private readonly Meter _meter;

    // Requests by cluster name, then by (int)ForwardOutcome. Counted here and observed when a listener collects: a request
    // costs one increment, not a measurement through every listener's tag lookup. Kept by name so totals survive a reload.
    private readonly ConcurrentDictionary<string, long[]> _requests = new(StringComparer.Ordinal);
    private readonly Histogram<double> _upstreamDuration;

    public GatewayMetrics(IMeterFactory? meterFactory, GatewayRouteTable routes)
    {
        _meter = meterFactory?.Create(BulwarkMetrics.MeterName) ?? new Meter(BulwarkMetrics.MeterName);
        _meter.CreateObservableCounter("bulwark.gateway.requests", ObserveRequests, "{request}", "Requests the gateway handed to a cluster, by cluster and outcome.");
        _upstreamDuration = _meter.CreateHistogram<double>("bulwark.gateway.upstream.duration", "s", "Time from forwarding a request to the end of the upstream's answer.");
        _meter.CreateObservableGauge("bulwark.gateway.inflight", () => routes.Clusters.Values.Select(c => new Measurement<long>(c.Guard.InFlight, new KeyValuePair<string, object?>("bulwark.cluster", c.Name))), "{request}", "Requests in flight to each cluster.");
        _meter.CreateObservableGauge("bulwark.gateway.queued", () => routes.Clusters.Values.Select(c => new Measurement<long>(c.Guard.Queued, new KeyValuePair<string, object?>("bulwark.cluster", c.Name))), "{request}", "Requests waiting for a slot of each cluster.");
    }

    public void Record(string cluster, ForwardOutcome outcome, long startTimestamp)
    {
        var counts = _requests.GetOrAdd(cluster, static _ => new long[OutcomeNames.Length]);
        Interlocked.Increment(ref counts[(int)outcome]);

        if (_upstreamDuration.Enabled && outcome is ForwardOutcome.Proxied)
        {
            _upstreamDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, new KeyValuePair<string, object?>("bulwark.cluster", cluster));
        }
    }

    public void Dispose() => _meter.Dispose();

    private IEnumerable<Measurement<long>> ObserveRequests()
    {
        foreach (var (cluster, counts) in _requests)
        {
            for (var i = 0; i < counts.Length; i++)
            {
                var count = Volatile.Read(ref counts[i]);
                if (count > 0)
                {
                    yield return new Measurement<long>(count, new KeyValuePair<string, object?>("bulwark.cluster", cluster), new KeyValuePair<string, object?>("bulwark.outcome", OutcomeNames[i]));
                }
            }
        }
    }

    private static string OutcomeName(ForwardOutcome outcome) => outcome switch
    {
        ForwardOutcome.Proxied => "proxied",
        ForwardOutcome.UpstreamError => "upstream_error",
        ForwardOutcome.UpstreamTimeout => "upstream_timeout",
        ForwardOutcome.CircuitOpen => "circuit_open",
        ForwardOutcome.Shed => "shed",
        ForwardOutcome.QueueFull => "queue_full",
        ForwardOutcome.ClientError => "client_error",
        ForwardOutcome.NoDestination => "no_destination",
        _ => "upgraded",
    };
}
