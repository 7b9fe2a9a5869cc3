using System.Collections.Concurrent;
using System.Globalization;
using Bulwark.Core.Decisions;
using Bulwark.Core.Pipeline;

namespace Bulwark.Core.Behavior;

/// <summary>
/// Velocity against baseline: each route learns its request rate, and each fingerprint cluster its share of that route's
/// traffic, as exponentially weighted moving averages over windows of <see cref="VelocityOptions.WindowSeconds"/>. When a
/// warmed-up route runs at more than <see cref="VelocityOptions.Factor"/> times its baseline (or its policy's error rate
/// does), clusters whose share exceeds <see cref="VelocityOptions.ShareFactor"/> times their baseline share get
/// <c>velocity_cluster</c>. This is what catches one request from each of a million residential proxies: the addresses
/// differ, the client cluster does not. Clusters are counted in a Space-Saving summary, so memory per route is fixed.
/// Baselines do not learn while their route surges, so an attack cannot teach itself in.
/// </summary>
public sealed class VelocityDetector : IDetector
{
    private readonly VelocityOptions _options;
    private readonly BehaviorState _state;
    private readonly long _windowTicks;
    private readonly ConcurrentDictionary<ulong, RouteVelocity> _routes = new();
    private readonly ConcurrentDictionary<string, ErrorRate> _errors = new(StringComparer.Ordinal);

    /// <summary>Creates the detector over shared behaviour state.</summary>
    public VelocityDetector(BehaviorState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        _state = state;
        _options = state.Options.Velocity;
        _windowTicks = TimeSpan.FromSeconds(_options.WindowSeconds).Ticks;
    }

    /// <inheritdoc />
    public void Detect(RequestContext request, EvaluationContext context)
    {
        if (!context.Policy.Behavior.Options.Velocity)
        {
            return;
        }

        var identity = _state.Track(request, context).Identity;
        var route = _routes.GetOrAdd(identity.Route, static (_, o) => new RouteVelocity(o), _options);
        var errorSurge = _errors.TryGetValue(context.Policy.Name, out var errors) && errors.Surging;
        var finding = route.Count(identity.Cluster, identity.Ticks, _options, _windowTicks, errorSurge);
        if (finding.Flagged)
        {
            context.AddSignal(BehaviorSignals.VelocityCluster, 80, string.Create(CultureInfo.InvariantCulture,
                $"route at {finding.Rate:0.#}/s, {finding.Rate / Math.Max(finding.Baseline, 1e-9):0.#}x its baseline {finding.Baseline:0.#}/s{(errorSurge ? " (error surge)" : "")}; cluster {identity.ClusterId} carries {finding.Share:P0} of it against {finding.BaselineShare:P1} usually"));
        }
    }

    /// <inheritdoc />
    public void Observe(RequestContext request, Decision decision, int statusCode, TimeSpan latency)
    {
        if (decision.Policy is null || statusCode <= 0)
        {
            return;
        }

        var errors = _errors.GetOrAdd(decision.Policy, static _ => new ErrorRate());
        errors.Add(request.Timestamp.UtcTicks, statusCode >= 400, _options, _windowTicks);
    }

    /// <summary>What one count found.</summary>
    internal readonly record struct Finding(bool Flagged, double Rate, double Baseline, double Share, double BaselineShare);

    /// <summary>Request rate and error share of one policy, with their baselines.</summary>
    private sealed class ErrorRate
    {
        private readonly Lock _gate = new();
        private long _windowStart;
        private long _requests;
        private long _errors;
        private double _baseline;
        private int _windows;
        private volatile bool _surging;

        /// <summary>Whether the last completed window's error rate was a surge (read without the lock).</summary>
        public bool Surging => _surging;

        public void Add(long now, bool error, VelocityOptions options, long window)
        {
            lock (_gate)
            {
                Roll(now, options, window);
                _requests++;
                if (error)
                {
                    _errors++;
                }
            }
        }

        private void Roll(long now, VelocityOptions options, long window)
        {
            if (_windowStart == 0)
            {
                _windowStart = now;
            }

            if (now - _windowStart < window)
            {
                return;
            }

            var rate = _errors / (double)window * TimeSpan.TicksPerSecond;
            _surging = _windows >= options.WarmupWindows && rate >= options.MinRatePerSecond && rate > options.Factor * _baseline;
            if (!_surging)
            {
                _baseline = _windows == 0 ? rate : _baseline + (options.Alpha * (rate - _baseline));
                _windows++;
            }

            _windowStart = now - _windowStart >= 2 * window ? now : _windowStart + window;
            _requests = _errors = 0;
        }
    }

    /// <summary>One route: rate baseline, cluster shares and the current and previous windows' cluster counts.</summary>
    internal sealed class RouteVelocity
    {
        private const int MaxBaselineClusters = 256;

        private readonly Lock _gate = new();
        private readonly SpaceSaving _current;
        private readonly Dictionary<ulong, long> _previous = [];
        private readonly Dictionary<ulong, double> _shares = [];
        private long _windowStart;
        private long _count;
        private long _previousCount;
        private double _baseline;
        private int _windows;

        public RouteVelocity(VelocityOptions options) => _current = new SpaceSaving(options.TrackedClusters);

        public Finding Count(ulong cluster, long now, VelocityOptions options, long window, bool errorSurge)
        {
            lock (_gate)
            {
                Roll(now, options, window);
                _count++;
                var clusterCount = _current.Add(cluster);
                if (_windows < options.WarmupWindows)
                {
                    return default;
                }

                // Sliding estimate over one window length: the previous window weighted by how much of it still overlaps.
                var overlap = 1.0 - Math.Clamp((now - _windowStart) / (double)window, 0, 1);
                var rate = ((_previousCount * overlap) + _count) / (window / (double)TimeSpan.TicksPerSecond);
                var surging = (rate >= options.MinRatePerSecond && rate > options.Factor * _baseline) || errorSurge;
                if (!surging)
                {
                    return default;
                }

                var recent = (_previous.GetValueOrDefault(cluster) * overlap) + clusterCount;
                var total = (_previousCount * overlap) + _count;
                var share = total <= 0 ? 0 : recent / total;
                var baselineShare = _shares.GetValueOrDefault(cluster);
                var flagged = recent >= options.MinClusterRequests && share >= options.MinShare && share > options.ShareFactor * baselineShare;
                return new Finding(flagged, rate, _baseline, share, baselineShare);
            }
        }

        private void Roll(long now, VelocityOptions options, long window)
        {
            if (_windowStart == 0)
            {
                _windowStart = now;
                return;
            }

            if (now - _windowStart < window)
            {
                return;
            }

            var seconds = window / (double)TimeSpan.TicksPerSecond;
            var rate = _count / seconds;
            var surging = _windows >= options.WarmupWindows && rate >= options.MinRatePerSecond && rate > options.Factor * _baseline;
            if (!surging)
            {
                Learn(rate, options);
            }

            _previous.Clear();
            var keys = _current.Keys;
            var counts = _current.Counts;
            for (var i = 0; i < keys.Length; i++)
            {
                _previous[keys[i]] = counts[i];
            }

            _previousCount = _count;
            _count = 0;
            _current.Clear();
            _windowStart += window;

            // Idle windows since: each teaches a zero rate (bounded, so a long pause costs little).
            var idle = Math.Min((now - _windowStart) / window, 100);
            if (idle > 0)
            {
                _previous.Clear();
                _previousCount = 0;
                for (var i = 0; i < idle; i++)
                {
                    _baseline += options.Alpha * (0 - _baseline);
                }

                _windowStart += idle * window;
                if (now - _windowStart >= window)
                {
                    _windowStart = now;
                }
            }
        }

        private void Learn(double rate, VelocityOptions options)
        {
            _baseline = _windows == 0 ? rate : _baseline + (options.Alpha * (rate - _baseline));
            _windows++;
            if (_count == 0)
            {
                return;
            }

            var keys = _current.Keys;
            var counts = _current.Counts;
            foreach (var key in _shares.Keys.ToArray())
            {
                _shares[key] *= 1 - options.Alpha;
            }

            for (var i = 0; i < keys.Length; i++)
            {
                var share = counts[i] / (double)_count;
                var old = _shares.GetValueOrDefault(keys[i], _windows == 1 ? share : 0);
                _shares[keys[i]] = _windows == 1 ? share : old + (options.Alpha * share);
            }

            if (_shares.Count > MaxBaselineClusters)
            {
                foreach (var (key, _) in _shares.OrderBy(pair => pair.Value).Take(_shares.Count - MaxBaselineClusters).ToArray())
                {
                    _shares.Remove(key);
                }
            }
        }
    }
}
