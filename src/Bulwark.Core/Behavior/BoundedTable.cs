using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Bulwark.Core.Behavior;

/// <summary>
/// A fixed-ceiling table of <typeparamref name="T"/> keyed by a 64-bit hash, for state kept per client value (actor,
/// IP group, cluster, account, password hash). Entries expire <c>ttl</c> after their last use; at the ceiling the clock
/// hand evicts an expired or not recently used entry (second chance, an LRU approximation; an entry used only once is
/// the first to go). Sharded, one lock per shard,
/// held only while the caller touches the value through <see cref="Scope"/>.
/// </summary>
/// <remarks>
/// Memory per entry: the key (8 B), last use (8 B), the reference flag (padded with <typeparamref name="T"/>), and the shard's
/// index (a <see cref="Dictionary{TKey,TValue}"/> entry, 24 B, plus a 4 B bucket). Arrays grow by doubling up to the
/// shard's share of the ceiling and never beyond it.
/// </remarks>
internal sealed class BoundedTable<T>
    where T : struct
{
    private readonly Shard[] _shards;
    private readonly int _shardMask;
    private readonly long _ttlTicks;

    public BoundedTable(int capacity, TimeSpan ttl)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        Capacity = capacity;
        _ttlTicks = ttl.Ticks;
        var shards = (int)Math.Min(64, BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, capacity / 256)));
        _shards = new Shard[shards];
        _shardMask = shards - 1;
        for (var i = 0; i < shards; i++)
        {
            // Shares add up to the ceiling exactly.
            _shards[i] = new Shard(Math.Max(1, (capacity / shards) + (i < capacity % shards ? 1 : 0)));
        }
    }

    /// <summary>The ceiling.</summary>
    public int Capacity { get; }

    /// <summary>Entries held (live or expired but not yet evicted).</summary>
    public int Count
    {
        get
        {
            var count = 0;
            foreach (var shard in _shards)
            {
                count += Volatile.Read(ref shard.Count);
            }

            return count;
        }
    }

    /// <summary>Entries evicted at the ceiling since creation.</summary>
    public long Evictions
    {
        get
        {
            long count = 0;
            foreach (var shard in _shards)
            {
                count += Volatile.Read(ref shard.Evictions);
            }

            return count;
        }
    }

    /// <summary>Locks the entry of <paramref name="key"/>, creating (or resetting an expired) one; dispose to unlock.</summary>
    public Scope Enter(ulong key, long nowTicks)
    {
        key = BehaviorHash.NonZero(key);
        var shard = _shards[(int)(key >> 58) & _shardMask];
        var scope = shard.Gate.EnterScope();
        var isNew = false;
        ref var entry = ref Unsafe.NullRef<Entry>();
        if (!shard.Index.TryGetValue(key, out var slot))
        {
            slot = shard.Allocate(nowTicks, _ttlTicks);
            shard.Index[key] = slot;
            entry = ref shard.Entries[slot];
            entry.Key = key;
            entry.Value = default;
            isNew = true;
        }
        else
        {
            entry = ref shard.Entries[slot];
            if (nowTicks - entry.LastUsed > _ttlTicks)
            {
                entry.Value = default;
                isNew = true;
            }
        }

        // A new entry starts unreferenced: a client seen once (one request from each of a million addresses) is the first
        // to go, and clients that come back keep their place (scan resistance of CLOCK without a second list).
        entry.Referenced = !isNew;
        if (nowTicks > entry.LastUsed || isNew)
        {
            entry.LastUsed = nowTicks;
        }

        return new Scope(scope, ref entry.Value, isNew);
    }

    /// <summary>Locks the live entry of <paramref name="key"/> if there is one; dispose the scope only when true.</summary>
    public bool TryEnter(ulong key, long nowTicks, out Scope entry)
    {
        key = BehaviorHash.NonZero(key);
        var shard = _shards[(int)(key >> 58) & _shardMask];
        var scope = shard.Gate.EnterScope();
        if (shard.Index.TryGetValue(key, out var slot) && nowTicks - shard.Entries[slot].LastUsed <= _ttlTicks)
        {
            entry = new Scope(scope, ref shard.Entries[slot].Value, false);
            return true;
        }

        scope.Dispose();
        entry = default;
        return false;
    }

    /// <summary>A locked entry. <see cref="Value"/> may only be used until <see cref="Dispose"/>.</summary>
    public ref struct Scope
    {
        private System.Threading.Lock.Scope _lock;

        internal Scope(System.Threading.Lock.Scope held, ref T value, bool isNew)
        {
            _lock = held;
            Value = ref value;
            IsNew = isNew;
        }

        /// <summary>The entry's value.</summary>
        public ref T Value;

        /// <summary>True when the entry was created (or reset after expiry) by this call.</summary>
        public readonly bool IsNew;

        /// <summary>Unlocks the shard.</summary>
        public void Dispose() => _lock.Dispose();
    }

    /// <summary>One entry, key and bookkeeping beside the value so that a lookup touches one place in memory.</summary>
    private struct Entry
    {
        public ulong Key;
        public long LastUsed;
        public bool Referenced;
        public T Value;
    }

    private sealed class Shard(int capacity)
    {
        public readonly System.Threading.Lock Gate = new();
        public readonly Dictionary<ulong, int> Index = new(Math.Min(capacity, 64));
        public readonly int ShardCapacity = capacity;
        public Entry[] Entries = new Entry[Math.Min(capacity, 16)];
        public int Count;
        public int Hand;
        public long Evictions;

        /// <summary>A free slot: a new one while below the share of the ceiling, else the clock hand's victim. Lock held.</summary>
        public int Allocate(long nowTicks, long ttlTicks)
        {
            if (Count < Entries.Length)
            {
                return Count++;
            }

            if (Entries.Length < ShardCapacity)
            {
                var size = (int)Math.Min(ShardCapacity, Entries.Length * 2L);
                Array.Resize(ref Entries, size);

                // Size the index once for the final share, so it never grows past it by doubling.
                if (size == ShardCapacity)
                {
                    Index.EnsureCapacity(size);
                }

                return Count++;
            }

            // Second chance: a referenced entry loses its bit and survives one more sweep; an expired one goes at once.
            while (true)
            {
                var slot = Hand;
                Hand = Hand + 1 == Count ? 0 : Hand + 1;
                ref var entry = ref Entries[slot];
                if (!entry.Referenced || nowTicks - entry.LastUsed > ttlTicks)
                {
                    var removed = Index.Remove(entry.Key);
                    Debug.Assert(removed, "every used slot is indexed");
                    Evictions++;
                    return slot;
                }

                entry.Referenced = false;
            }
        }
    }
}
