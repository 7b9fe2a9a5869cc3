using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using Bulwark.Core.Net;

namespace Bulwark.Core.Lists;

/// <summary>
/// Manual bans with a time to live, like CrowdSec's decision list: addresses and networks, API keys, accounts (case-
/// insensitive) and TLS fingerprints. Time is always passed in, so tests and replay control expiry.
/// </summary>
/// <remarks>
/// <para>Reads never lock: single addresses, keys, accounts and fingerprints sit in concurrent dictionaries (O(1)), networks
/// in a small copy-on-write array scanned linearly. Writes (rare: an operator or a detector banning) take one lock.
/// With no ban at all, <see cref="TryMatch"/> returns after one volatile read.</para>
/// <para>An expired ban never matches. It is removed lazily: when a lookup meets it, when <see cref="List"/> or
/// <see cref="Purge"/> runs, or when an addition finds the list full.</para>
/// <para>Bound: at most <see cref="MaxEntries"/> bans (live or not yet purged). An addition that finds the list full
/// purges expired bans first; if it is still full, <see cref="TryAdd"/> returns false and <see cref="Add"/> throws
/// <see cref="InvalidOperationException"/>. Replacing an existing ban always succeeds. One ban costs roughly
/// 150 bytes plus its value and reason.</para>
/// </remarks>
public sealed class BanList
{
    private readonly Lock _writeLock = new();
    private readonly ConcurrentDictionary<AddressKey, Ban> _addresses = new();
    private readonly ConcurrentDictionary<string, Ban> _apiKeys = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Ban> _accounts = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, Ban> _fingerprints = new(StringComparer.Ordinal);
    private volatile NetworkBan[] _networks = [];
    private int _count;

    /// <summary>Creates an empty list that holds at most <paramref name="maxEntries"/> bans.</summary>
    public BanList(int maxEntries = 100_000)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxEntries);
        MaxEntries = maxEntries;
    }

    /// <summary>The most bans the list holds.</summary>
    public int MaxEntries { get; }

    /// <summary>
    /// Raised after a ban is added, replaced or lifted (not when an expired ban is purged), on the thread that made the
    /// change and outside the list's lock. Shared state (Redis) publishes the changes to other gateways through it.
    /// A handler must be quick and must not throw.
    /// </summary>
    public event Action<BanChange>? Changed;

    /// <summary>How many bans are held, including expired ones not yet purged.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>
    /// Bans <paramref name="value"/> for <paramref name="ttl"/> from <paramref name="now"/>. An <see cref="BanTarget.Ip"/>
    /// value is an address or a CIDR network. Banning a value already banned replaces the ban's reason and creation time
    /// and keeps the later of the two expiries (a ban never shortens by re-banning; <see cref="Remove"/> it first).
    /// </summary>
    /// <exception cref="ArgumentException">The value is empty, or not an address or network for an IP ban.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="ttl"/> is not positive.</exception>
    /// <exception cref="InvalidOperationException">The list holds <see cref="MaxEntries"/> live bans.</exception>
    public Ban Add(BanTarget target, string value, TimeSpan ttl, string reason, DateTimeOffset now)
    {
        if (!TryAdd(target, value, ttl, reason, now, out Ban? ban))
        {
            throw new InvalidOperationException(
                $"The ban list is full ({MaxEntries} live bans); remove bans or wait for some to expire.");
        }

        return ban;
    }

    /// <summary>Like <see cref="Add"/>, but returns false instead of throwing when the list is full.</summary>
    public bool TryAdd(BanTarget target, string value, TimeSpan ttl, string reason, DateTimeOffset now, [NotNullWhen(true)] out Ban? ban)
    {
        ArgumentNullException.ThrowIfNull(reason);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero);
        Entry entry = ParseEntry(target, value, nameof(value));
        DateTimeOffset expiresAt = ttl >= DateTimeOffset.MaxValue - now ? DateTimeOffset.MaxValue : now + ttl;
        var candidate = new Ban(target, entry.Value, now, expiresAt, reason);

        bool added;
        lock (_writeLock)
        {
            added = entry.IsNetwork
                ? TryAddNetworkLocked(entry, candidate, now, out ban)
                : TryAddKeyedLocked(entry, candidate, now, out ban);
        }

        if (added)
        {
            Changed?.Invoke(new BanChange(ban!.Target, ban.Value, ban));
        }

        return added;
    }

    /// <summary>Lifts the ban on <paramref name="value"/>; false when there was none. IP values are compared as networks (<c>::ffff:10.0.0.1</c> is <c>10.0.0.1</c>).</summary>
    /// <exception cref="ArgumentException">The value is empty, or not an address or network for an IP ban.</exception>
    public bool Remove(BanTarget target, string value)
    {
        Entry entry = ParseEntry(target, value, nameof(value));
        bool removed = RemoveEntry(entry);
        if (removed)
        {
            Changed?.Invoke(new BanChange(entry.Target, entry.Value, null));
        }

        return removed;
    }

    private bool RemoveEntry(Entry entry)
    {
        lock (_writeLock)
        {
            if (entry.IsNetwork)
            {
                NetworkBan[] networks = _networks;
                int index = Array.FindIndex(networks, n => n.Matches(entry));
                if (index < 0)
                {
                    return false;
                }

                _networks = [.. networks.AsSpan(0, index), .. networks.AsSpan(index + 1)];
                Interlocked.Decrement(ref _count);
                return true;
            }

            bool removed = entry.Target switch
            {
                BanTarget.Ip => _addresses.TryRemove(entry.Address, out _),
                _ => Dictionary(entry.Target).TryRemove(entry.Value, out _),
            };
            if (removed)
            {
                Interlocked.Decrement(ref _count);
            }

            return removed;
        }
    }

    /// <summary>The bans live at <paramref name="now"/>, oldest first; expired ones are purged on the way.</summary>
    public IReadOnlyList<Ban> List(DateTimeOffset now)
    {
        Purge(now);
        var bans = new List<Ban>(Count);
        foreach (KeyValuePair<AddressKey, Ban> pair in _addresses)
        {
            AddIfLive(bans, pair.Value, now);
        }

        foreach (NetworkBan network in _networks)
        {
            AddIfLive(bans, network.Ban, now);
        }

        foreach (ConcurrentDictionary<string, Ban> dictionary in (ReadOnlySpan<ConcurrentDictionary<string, Ban>>)[_apiKeys, _accounts, _fingerprints])
        {
            foreach (KeyValuePair<string, Ban> pair in dictionary)
            {
                AddIfLive(bans, pair.Value, now);
            }
        }

        bans.Sort(static (a, b) =>
        {
            int order = a.CreatedAt.CompareTo(b.CreatedAt);
            if (order == 0)
            {
                order = a.Target.CompareTo(b.Target);
            }

            return order != 0 ? order : string.CompareOrdinal(a.Value, b.Value);
        });
        return bans;

        static void AddIfLive(List<Ban> bans, Ban ban, DateTimeOffset now)
        {
            if (ban.IsLive(now))
            {
                bans.Add(ban);
            }
        }
    }

    /// <summary>Removes every ban expired at <paramref name="now"/>; returns how many went.</summary>
    public int Purge(DateTimeOffset now)
    {
        lock (_writeLock)
        {
            return PurgeLocked(now);
        }
    }

    /// <summary>
    /// Finds a live ban on the request's address (an address ban, then a network containing it), API key, account or
    /// fingerprint, in that order. Never allocates; with an empty list it neither locks nor hashes.
    /// </summary>
    public bool TryMatch(IPAddress ip, string? apiKey, string? account, string? fingerprint, DateTimeOffset now, [NotNullWhen(true)] out Ban? ban)
    {
        ArgumentNullException.ThrowIfNull(ip);
        ban = null;
        if (Volatile.Read(ref _count) == 0)
        {
            return false;
        }

        IpAddressExtensions.GetBits(ip, out UInt128 bits, out bool isV6);
        var key = new AddressKey(bits, isV6);
        if (_addresses.TryGetValue(key, out Ban? found) && IsLiveOrPurge(_addresses, key, found, now))
        {
            ban = found;
            return true;
        }

        NetworkBan[] networks = _networks;
        for (int i = 0; i < networks.Length; i++)
        {
            NetworkBan network = networks[i];
            if (network.IsV6 == isV6 && bits >= network.Start && bits <= network.End)
            {
                if (network.Ban.IsLive(now))
                {
                    ban = network.Ban;
                    return true;
                }

                Purge(now);
            }
        }

        return (apiKey is not null && TryMatchKeyed(_apiKeys, apiKey, now, out ban))
            || (account is not null && TryMatchKeyed(_accounts, account, now, out ban))
            || (fingerprint is not null && TryMatchKeyed(_fingerprints, fingerprint, now, out ban));
    }

    private bool TryMatchKeyed(ConcurrentDictionary<string, Ban> dictionary, string value, DateTimeOffset now, [NotNullWhen(true)] out Ban? ban)
    {
        if (dictionary.TryGetValue(value, out ban) && IsLiveOrPurge(dictionary, value, ban, now))
        {
            return true;
        }

        ban = null;
        return false;
    }

    /// <summary>True for a live ban; removes an expired one unless a writer has replaced it meanwhile.</summary>
    private bool IsLiveOrPurge<TKey>(ConcurrentDictionary<TKey, Ban> dictionary, TKey key, Ban ban, DateTimeOffset now)
        where TKey : notnull
    {
        if (ban.IsLive(now))
        {
            return true;
        }

        if (dictionary.TryRemove(KeyValuePair.Create(key, ban)))
        {
            Interlocked.Decrement(ref _count);
        }

        return false;
    }

    private bool TryAddKeyedLocked(Entry entry, Ban candidate, DateTimeOffset now, [NotNullWhen(true)] out Ban? ban) =>
        entry.Target == BanTarget.Ip
            ? TryAddOrReplaceLocked(_addresses, entry.Address, candidate, now, out ban)
            : TryAddOrReplaceLocked(Dictionary(entry.Target), entry.Value, candidate, now, out ban);

    private bool TryAddOrReplaceLocked<TKey>(ConcurrentDictionary<TKey, Ban> dictionary, TKey key, Ban candidate, DateTimeOffset now, [NotNullWhen(true)] out Ban? ban)
        where TKey : notnull
    {
        // Readers may purge concurrently, so replace only the exact ban we saw and add only where there is none.
        while (true)
        {
            if (dictionary.TryGetValue(key, out Ban? existing))
            {
                ban = Merge(existing, candidate, now);
                if (dictionary.TryUpdate(key, ban, existing))
                {
                    return true;
                }

                continue;
            }

            if (!HasRoomLocked(now))
            {
                ban = null;
                return false;
            }

            if (dictionary.TryAdd(key, candidate))
            {
                Interlocked.Increment(ref _count);
                ban = candidate;
                return true;
            }
        }
    }

    private bool TryAddNetworkLocked(Entry entry, Ban candidate, DateTimeOffset now, [NotNullWhen(true)] out Ban? ban)
    {
        NetworkBan[] networks = _networks;
        int index = Array.FindIndex(networks, n => n.Matches(entry));
        if (index >= 0)
        {
            ban = Merge(networks[index].Ban, candidate, now);
            NetworkBan[] copy = [.. networks];
            copy[index] = networks[index] with { Ban = ban };
            _networks = copy;
            return true;
        }

        if (!HasRoomLocked(now))
        {
            ban = null;
            return false;
        }

        ban = candidate;
        _networks = [.. _networks, new NetworkBan(entry.Address.Bits, entry.End, entry.Address.IsV6, candidate)];
        Interlocked.Increment(ref _count);
        return true;
    }

    /// <summary>A re-ban: the new reason and creation time, the later expiry.</summary>
    private static Ban Merge(Ban existing, Ban candidate, DateTimeOffset now) =>
        existing.IsLive(now) && existing.ExpiresAt > candidate.ExpiresAt ? candidate with { ExpiresAt = existing.ExpiresAt } : candidate;

    private bool HasRoomLocked(DateTimeOffset now)
    {
        if (Volatile.Read(ref _count) < MaxEntries)
        {
            return true;
        }

        PurgeLocked(now);
        return Volatile.Read(ref _count) < MaxEntries;
    }

    private int PurgeLocked(DateTimeOffset now)
    {
        int removed = PurgeDictionary(_addresses, now) + PurgeDictionary(_apiKeys, now)
            + PurgeDictionary(_accounts, now) + PurgeDictionary(_fingerprints, now);

        NetworkBan[] networks = _networks;
        NetworkBan[] live = Array.FindAll(networks, n => n.Ban.IsLive(now));
        if (live.Length != networks.Length)
        {
            _networks = live;
            Interlocked.Add(ref _count, live.Length - networks.Length);
            removed += networks.Length - live.Length;
        }

        return removed;
    }

    private int PurgeDictionary<TKey>(ConcurrentDictionary<TKey, Ban> dictionary, DateTimeOffset now)
        where TKey : notnull
    {
        int removed = 0;
        foreach (KeyValuePair<TKey, Ban> pair in dictionary)
        {
            if (!pair.Value.IsLive(now) && dictionary.TryRemove(pair))
            {
                Interlocked.Decrement(ref _count);
                removed++;
            }
        }

        return removed;
    }

    private ConcurrentDictionary<string, Ban> Dictionary(BanTarget target) => target switch
    {
        BanTarget.ApiKey => _apiKeys,
        BanTarget.Account => _accounts,
        BanTarget.Fingerprint => _fingerprints,
        _ => throw new ArgumentOutOfRangeException(nameof(target), target, "Not a keyed ban target."),
    };

    private static Entry ParseEntry(BanTarget target, string value, string paramName)
    {
        if (!Enum.IsDefined(target))
        {
            throw new ArgumentOutOfRangeException(nameof(target), target, "Unknown ban target.");
        }

        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ArgumentException($"A {target} ban needs a value; it was empty.", paramName);
        }

        string trimmed = value.Trim();
        if (target != BanTarget.Ip)
        {
            return new Entry(target, trimmed, default, default, IsNetwork: false);
        }

        if (!IpNetworkSet.TryParseNetwork(trimmed, out UInt128 start, out int prefix, out bool isV6, out string? error))
        {
            throw new ArgumentException(
                $"An Ip ban needs an address (203.0.113.7) or a network (203.0.113.0/24, 2001:db8::/48): {error}", paramName);
        }

        bool single = prefix == (isV6 ? 128 : 32);
        string canonical = single
            ? IpAddressExtensions.FormatAddress(start, isV6)
            : IpAddressExtensions.FormatNetwork(start, prefix, isV6);
        return new Entry(target, canonical, new AddressKey(start, isV6), IpAddressExtensions.NetworkEnd(start, prefix, isV6), IsNetwork: !single);
    }

    private readonly record struct AddressKey(UInt128 Bits, bool IsV6);

    private readonly record struct Entry(BanTarget Target, string Value, AddressKey Address, UInt128 End, bool IsNetwork);

    private sealed record NetworkBan(UInt128 Start, UInt128 End, bool IsV6, Ban Ban)
    {
        public bool Matches(Entry entry) => Start == entry.Address.Bits && End == entry.End && IsV6 == entry.Address.IsV6;
    }
}
