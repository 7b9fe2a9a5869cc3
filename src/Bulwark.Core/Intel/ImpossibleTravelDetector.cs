using System.Globalization;
using Bulwark.Core.Pipeline;
using Bulwark.Core.Policy;

namespace Bulwark.Core.Intel;

/// <summary>
/// Signals <c>impossible_travel</c> (default weight 50) when an account or API key appears farther from where it was last
/// seen than <see cref="ImpossibleTravelOptions.SpeedKmh"/> allows for the time between. Distances are reduced by both
/// locations' accuracy radii and must exceed <see cref="ImpossibleTravelOptions.MinDistanceKm"/>, so city-level noise does
/// not fire. VPN, hosting, Tor and proxy addresses are not locations of the user: they neither fire nor update.
/// Memory is bounded by <see cref="ImpossibleTravelOptions.MaxTracked"/> identities (about 100 bytes each plus the
/// identity string), kept in two generations: the least recently seen half is forgotten first.
/// </summary>
public sealed class ImpossibleTravelDetector : IDetector
{
    private const double EarthRadiusKm = 6371.0088;
    private const NetworkKind NotALocation = NetworkKind.Vpn | NetworkKind.Hosting | NetworkKind.Tor | NetworkKind.Proxy;

    private readonly ImpossibleTravelOptions _options;
    private readonly Lock _gate = new();
    private Dictionary<string, Sighting> _current = new(StringComparer.Ordinal);
    private Dictionary<string, Sighting> _previous = new(StringComparer.Ordinal);

    /// <summary>Creates the detector.</summary>
    public ImpossibleTravelDetector(ImpossibleTravelOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    /// <summary>Identities remembered now.</summary>
    public int Tracked
    {
        get
        {
            lock (_gate)
            {
                return _current.Count + _previous.Count;
            }
        }
    }

    /// <inheritdoc />
    public void Detect(RequestContext request, EvaluationContext context)
    {
        var network = context.Network;
        if (!network.HasLocation || (network.Kinds & NotALocation) != 0 || (request.Account is null && request.ApiKey is null))
        {
            return;
        }

        var here = new Sighting(network.Latitude, network.Longitude, network.AccuracyRadiusKm, request.Timestamp.UtcTicks);
        if (request.Account is { } account)
        {
            Check(context, "a:" + account.Trim().ToLowerInvariant(), "account", here);
        }

        if (request.ApiKey is { } apiKey)
        {
            Check(context, "k:" + apiKey, "API key", here);
        }
    }

    private void Check(EvaluationContext context, string identity, string kind, Sighting here)
    {
        Sighting? before;
        lock (_gate)
        {
            if (!_current.TryGetValue(identity, out var seen) && _previous.TryGetValue(identity, out seen))
            {
                _previous.Remove(identity);
            }

            before = seen;
            if (_current.Count >= _options.MaxTracked / 2)
            {
                // Two generations: the older half is forgotten whole, so memory stays bounded without per-entry bookkeeping.
                _previous = _current;
                _current = new Dictionary<string, Sighting>(StringComparer.Ordinal);
            }

            _current[identity] = here;
        }

        if (before is not { } then || here.Ticks <= then.Ticks)
        {
            return;
        }

        var distance = DistanceKm(then.Latitude, then.Longitude, here.Latitude, here.Longitude) - then.AccuracyKm - here.AccuracyKm;
        if (distance < _options.MinDistanceKm || distance <= 0)
        {
            return;
        }

        var hours = TimeSpan.FromTicks(here.Ticks - then.Ticks).TotalHours;
        var speed = distance / Math.Max(hours, 1.0 / 3600);
        if (speed > _options.SpeedKmh)
        {
            context.AddSignal("impossible_travel", 50, string.Create(
                CultureInfo.InvariantCulture,
                $"{kind} seen {distance:N0} km away {TimeSpan.FromTicks(here.Ticks - then.Ticks).TotalMinutes:N0} min earlier ({speed:N0} km/h, limit {_options.SpeedKmh})"));
        }
    }

    /// <summary>Great-circle distance by the haversine formula.</summary>
    internal static double DistanceKm(double lat1, double lon1, double lat2, double lon2)
    {
        static double Radians(double degrees) => degrees * Math.PI / 180;
        var dLat = Radians(lat2 - lat1);
        var dLon = Radians(lon2 - lon1);
        var a = (Math.Sin(dLat / 2) * Math.Sin(dLat / 2)) + (Math.Cos(Radians(lat1)) * Math.Cos(Radians(lat2)) * Math.Sin(dLon / 2) * Math.Sin(dLon / 2));
        return 2 * EarthRadiusKm * Math.Asin(Math.Min(1, Math.Sqrt(a)));
    }

    private readonly record struct Sighting(double Latitude, double Longitude, int AccuracyKm, long Ticks);
}
