using System.Globalization;
using Bulwark.Core.Decisions;
using Bulwark.Core.Pipeline;

namespace Bulwark.Core.Behavior;

/// <summary>
/// API key misuse, each key against its own history over windows of <see cref="ApiKeyMisuseOptions.WindowSeconds"/>:
/// requests above <see cref="ApiKeyMisuseOptions.RateFactor"/> times its baseline (<c>apikey_rate</c>), many IP groups it
/// was not seen from before (<c>apikey_new_ips</c>), mostly failing requests (<c>apikey_errors</c>) and several new
/// countries (<c>apikey_new_countries</c>, with IP intelligence). Known IP groups and countries are kept as 256- and
/// 64-bit sets per key, so one key costs about 110 bytes whatever it does; the key itself is kept only as a hash.
/// </summary>
public sealed class ApiKeyMisuseDetector : IDetector
{
    private readonly BoundedTable<KeyState> _keys;
    private readonly BehaviorState _state;

    /// <summary>Creates the detector over shared behaviour state.</summary>
    public ApiKeyMisuseDetector(BehaviorState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        _state = state;
        _keys = new BoundedTable<KeyState>(state.Options.MaxGroups, TimeSpan.FromDays(7));
    }

    /// <inheritdoc />
    public void Detect(RequestContext request, EvaluationContext context)
    {
        var options = context.Policy.Behavior.Options.ApiKeys;
        if (!options.Enabled || request.ApiKey is not { Length: > 0 } apiKey)
        {
            return;
        }

        var identity = _state.Track(request, context).Identity;
        var now = identity.Ticks;
        int requests, newIps, newCountries, observed, errors;
        double baseline;
        bool judged;
        using (var scope = _keys.Enter(BehaviorHash.Of(apiKey), now))
        {
            ref var key = ref scope.Value;
            key.Roll(now, TimeSpan.FromSeconds(options.WindowSeconds).Ticks);
            key.Requests++;
            judged = key.Windows > 0;
            if (key.Learn(identity.IpGroup, context.Country))
            {
                // Counted only after a first full window: before that every address is new.
                if (judged)
                {
                    key.NewIps++;
                }
            }

            if (key.NewCountry && judged)
            {
                key.NewCountries++;
            }

            requests = key.Requests;
            newIps = key.NewIps;
            newCountries = key.NewCountries;
            observed = key.Observed;
            errors = key.Errors;
            baseline = key.Baseline;
        }

        if (judged && requests >= options.MinRequests && requests > options.RateFactor * Math.Max(baseline, options.MinRequests))
        {
            context.AddSignal(BehaviorSignals.ApiKeyRate, 40, Text($"key: {requests} requests this window against a baseline of {baseline:0.#}"));
        }

        if (newIps > options.NewIps)
        {
            context.AddSignal(BehaviorSignals.ApiKeyNewIps, 40, Text($"key: used from {newIps} new IP groups this window"));
        }

        if (observed >= options.MinRequests && errors > options.ErrorRatio * observed)
        {
            context.AddSignal(BehaviorSignals.ApiKeyErrors, 30, Text($"key: {errors} of {observed} requests failed this window"));
        }

        if (newCountries > options.NewCountries)
        {
            context.AddSignal(BehaviorSignals.ApiKeyNewCountries, 50, Text($"key: used from {newCountries} new countries this window"));
        }
    }

    /// <inheritdoc />
    public void Observe(RequestContext request, Decision decision, int statusCode, TimeSpan latency)
    {
        if (statusCode <= 0 || request.ApiKey is not { Length: > 0 } apiKey)
        {
            return;
        }

        if (_keys.TryEnter(BehaviorHash.Of(apiKey), request.Timestamp.UtcTicks, out var scope))
        {
            using (scope)
            {
                scope.Value.Observed++;
                if (statusCode >= 400)
                {
                    scope.Value.Errors++;
                }
            }
        }
    }

    private static string Text(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>One key's window counters, baseline and known IP groups and countries.</summary>
    internal struct KeyState
    {
        public ulong Ips0, Ips1, Ips2, Ips3;
        public CountrySlots Countries;
        public long WindowStart;
        public double Baseline;
        public int Requests, Observed, Errors, NewIps, NewCountries, Windows;
        public bool NewCountry;

        public void Roll(long now, long window)
        {
            if (WindowStart == 0)
            {
                WindowStart = now;
                return;
            }

            if (now - WindowStart < window)
            {
                return;
            }

            Baseline = Windows == 0 ? Requests : Baseline + (0.3 * (Requests - Baseline));
            Windows++;
            WindowStart = now - WindowStart >= 2 * window ? now : WindowStart + window;
            Requests = Observed = Errors = NewIps = NewCountries = 0;
        }

        /// <summary>Marks the IP group and country known; true when the IP group was new. Sets <see cref="NewCountry"/>.</summary>
        public bool Learn(ulong ipGroup, string? country)
        {
            NewCountry = false;
            if (country is { Length: > 0 })
            {
                // Exact, not a hashed bitset: with a per-process hash seed two of a handful of countries collided in
                // about one process in five, and a threshold of 3 new countries cannot afford a lost one.
                var code = CountryCode(country);
                for (var i = 0; i < CountrySlots.Length; i++)
                {
                    if (Countries[i] == code)
                    {
                        break;
                    }

                    if (Countries[i] == 0)
                    {
                        Countries[i] = code;
                        NewCountry = true;
                        break;
                    }
                }

                // All slots taken: the key is used from that many countries already; a further one is not news.
            }

            var bit = (int)(ipGroup & 255);
            var mask = 1UL << (bit & 63);
            bool isNew;
            switch (bit >> 6)
            {
                case 0: isNew = (Ips0 & mask) == 0; Ips0 |= mask; break;
                case 1: isNew = (Ips1 & mask) == 0; Ips1 |= mask; break;
                case 2: isNew = (Ips2 & mask) == 0; Ips2 |= mask; break;
                default: isNew = (Ips3 & mask) == 0; Ips3 |= mask; break;
            }

            return isNew;
        }

        // ISO 3166 alpha-2 codes map one-to-one onto 1..676; anything else onto the rest of the 16-bit range by hash.
        private static ushort CountryCode(string country)
        {
            if (country.Length == 2 && char.IsAsciiLetter(country[0]) && char.IsAsciiLetter(country[1]))
            {
                return (ushort)(((char.ToUpperInvariant(country[0]) - 'A') * 26) + (char.ToUpperInvariant(country[1]) - 'A') + 1);
            }

            return (ushort)(677 + (BehaviorHash.Of(country) % (ushort.MaxValue - 677)));
        }
    }

    /// <summary>The distinct countries a key was used from (up to eight; 16 bytes).</summary>
    [System.Runtime.CompilerServices.InlineArray(Length)]
    internal struct CountrySlots
    {
        public const int Length = 8;

        private ushort _element;
    }
}
