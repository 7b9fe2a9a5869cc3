using System.Globalization;
using Bulwark.Core.Decisions;
using Bulwark.Core.Pipeline;

namespace Bulwark.Core.Behavior;

/// <summary>
/// API key misuse, each key against its own history over windows of <see cref="ApiKeyMisuseOptions.WindowSeconds"/>:
/// requests above <see cref="ApiKeyMisuseOptions.RateFactor"/> times its baseline (<c>apikey_rate</c>), many IP groups it
/// was not seen from before (<c>apikey_new_ips</c>), mostly failing requests (<c>apikey_errors</c>) and several new
/// countries (<c>apikey_new_countries</c>, with IP intelligence), and for server keys a request from a subnet and a
/// fingerprint cluster the key was never seen with while its known sources are active (<c>apikey_new_source</c>). Known IP
/// groups and countries are kept as 256- and 64-bit sets per key, a server key's sources exactly (up to 8 subnets and 4
/// clusters as 64-bit hashes), so one key costs about 210 bytes whatever it does; the key itself is kept only as a hash.
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
        long newSourceSince = -1, activeAgo = 0;
        using (var scope = _keys.Enter(BehaviorHash.Of(apiKey), now))
        {
            ref var key = ref scope.Value;
            if (options.NewSources && key.JudgeSource(identity, now, TimeSpan.FromSeconds(options.SourceWarmupSeconds).Ticks,
                TimeSpan.FromSeconds(options.SourceActiveSeconds).Ticks, options.MinRequests, out activeAgo))
            {
                newSourceSince = now - key.FirstSeen;
            }

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

        if (newSourceSince >= 0)
        {
            context.AddSignal(BehaviorSignals.ApiKeyNewSource, 80, Text(
                $"key: request from a subnet and a client (cluster {identity.ClusterId}) never seen with it in {TimeSpan.FromTicks(newSourceSince).TotalMinutes:0} min, while its known clients were active {TimeSpan.FromTicks(activeAgo).TotalSeconds:0} s ago"));
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

    /// <summary>One key's window counters, baseline and known IP groups, subnets, clusters and countries.</summary>
    internal struct KeyState
    {
        // A server key's sources: a key seen with more is used by many parties, whose new sources are normal.
        public const int MaxSubnets = 8;
        public const int MaxClusters = 4;

        public ulong Ips0, Ips1, Ips2, Ips3;
        public Subnets8 KnownSubnets;
        public Clusters4 KnownClusters;
        public long FirstSeen, LastKnown;
        public int Learned;
        public byte SubnetCount, ClusterCount;
        public bool Distributed;
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

        /// <summary>
        /// Whether this request is a new source of an established server key: its subnet and its cluster were never seen
        /// with the key while one of the key's known sources was active within <paramref name="activeTicks"/>
        /// (<paramref name="activeAgo"/> says how long ago). Anything else is learned: during the warm-up every source; after
        /// it a source sharing its subnet or its cluster with known ones, or any source once the known ones fell silent (the
        /// key moved). A flagged source is not learned, so it stays flagged while the owner's clients are active. Sources are
        /// kept exactly (64-bit hashes, no bitset a new network could collide into); a key used from a browser during its
        /// warm-up, or from more than <see cref="MaxSubnets"/> subnets or <see cref="MaxClusters"/> clusters, is a
        /// distributed key (a public key, a fleet) whose new sources are normal, and is no longer judged.
        /// </summary>
        public bool JudgeSource(RequestIdentity identity, long now, long warmupTicks, long activeTicks, int minRequests, out long activeAgo)
        {
            activeAgo = 0;
            if (FirstSeen == 0)
            {
                FirstSeen = now;
            }

            if (Distributed)
            {
                return false;
            }

            var subnet = BehaviorHash.NonZero(identity.Subnet);
            var cluster = BehaviorHash.NonZero(identity.Cluster);
            var subnetKnown = ((ReadOnlySpan<ulong>)KnownSubnets)[..SubnetCount].Contains(subnet);
            var clusterKnown = ((ReadOnlySpan<ulong>)KnownClusters)[..ClusterCount].Contains(cluster);
            var established = now - FirstSeen >= warmupTicks && Learned >= minRequests;
            if (established && !subnetKnown && !clusterKnown && now - LastKnown <= activeTicks)
            {
                activeAgo = now - LastKnown;
                return true;
            }

            if (!established && UserAgentFamily.IsBrowser(identity.UaFamily))
            {
                Distributed = true;
            }

            if (!subnetKnown)
            {
                if (SubnetCount == MaxSubnets)
                {
                    Distributed = true;
                }
                else
                {
                    KnownSubnets[SubnetCount++] = subnet;
                }
            }

            if (!clusterKnown)
            {
                if (ClusterCount == MaxClusters)
                {
                    Distributed = true;
                }
                else
                {
                    KnownClusters[ClusterCount++] = cluster;
                }
            }

            LastKnown = now;
            Learned++;
            return false;
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

/// <summary>Eight 64-bit hashes inline (a key's known subnets).</summary>
[System.Runtime.CompilerServices.InlineArray(ApiKeyMisuseDetector.KeyState.MaxSubnets)]
internal struct Subnets8
{
    private ulong _element;
}

/// <summary>Four 64-bit hashes inline (a key's known fingerprint clusters).</summary>
[System.Runtime.CompilerServices.InlineArray(ApiKeyMisuseDetector.KeyState.MaxClusters)]
internal struct Clusters4
{
    private ulong _element;
}
