using System.Buffers;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Bulwark.Core.Limits;

/// <summary>
/// A bounded in-process counter store: a sharded hash table of fixed-size entries, at most <c>maxEntries</c> keys.
/// Each entry expires when its counter is indistinguishable from a fresh one (bucket full, windows passed, no lease out;
/// a concurrency counter with leases out 10 minutes after its last touch), and is then reused. At the bound a new key
/// first takes an expired slot among a small sample, else evicts the sampled entry that would expire soonest: that key's
/// count is forgotten, so the limit fails open for it. The bound is split evenly across shards, so eviction can start
/// slightly before the total reaches it; it needs more live keys than the bound within one expiry horizon. Size the
/// bound to the actors you expect (<see cref="BytesPerEntry"/> bytes each, plus the key string).
/// </summary>
public sealed class InMemoryCounterStore : ISynchronousCounterStore
{
    /// <summary>Operations per call handled with stack memory; longer batches rent arrays.</summary>
    private const int StackOperations = 16;

    private const int MaxShards = 128;

    private readonly Shard[] _shards;
    private readonly int _shardMask;

    /// <summary>Creates a store that holds at most <paramref name="maxEntries"/> counters.</summary>
    public InMemoryCounterStore(int maxEntries = 1_000_000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEntries, 1);

        // Enough shards that contention is rare, few enough that each holds a useful share of the bound.
        var shardCount = (int)Math.Clamp(BitOperations.RoundUpToPowerOf2((uint)Math.Max(maxEntries / 64, 1)) >> 1, 1, MaxShards);
        _shards = new Shard[shardCount];
        _shardMask = shardCount - 1;
        var share = maxEntries / shardCount;
        var remainder = maxEntries % shardCount;
        for (var i = 0; i < shardCount; i++)
        {
            _shards[i] = new Shard(share + (i < remainder ? 1 : 0));
        }
    }

    /// <summary>
    /// Bytes one tracked key costs, excluding its key string: a 40-byte entry plus at most 8 bytes of bucket index (the
    /// bucket array is the power of two at or above the slot count). Below the bound a shard can have up to twice as
    /// many slots as keys right after it doubles; at the bound slots equal keys.
    /// </summary>
    public static int BytesPerEntry => 48;

    /// <summary>Occupied entries, including expired ones not yet reused. Never more than the bound. A racy snapshot.</summary>
    public int Count
    {
        get
        {
            var total = 0;
            foreach (var shard in _shards)
            {
                total += shard.Count;
            }

            return total;
        }
    }

    /// <inheritdoc />
    public ValueTask ApplyAsync(ReadOnlyMemory<CounterOperation> operations, Memory<CounterResult> results, long nowTicks, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        Apply(operations.Span, results.Span, nowTicks);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public void Apply(ReadOnlySpan<CounterOperation> operations, Span<CounterResult> results, long nowTicks)
    {
        if (results.Length < operations.Length)
        {
            ThrowResultsTooShort();
        }

        if (nowTicks < 0)
        {
            ThrowNegativeNow();
        }

        for (var i = 0; i < operations.Length; i++)
        {
            Validate(operations[i], i);
        }

        if (operations.Length <= 1)
        {
            if (operations.Length == 1)
            {
                ApplySingle(operations[0], ref results[0], nowTicks);
            }

            return;
        }

        OperationState[]? rentedStates = null;
        int[]? rentedShards = null;
        var states = operations.Length <= StackOperations
            ? stackalloc OperationState[operations.Length]
            : (rentedStates = ArrayPool<OperationState>.Shared.Rent(operations.Length)).AsSpan(0, operations.Length);
        var lockOrder = operations.Length <= StackOperations
            ? stackalloc int[operations.Length]
            : (rentedShards = ArrayPool<int>.Shared.Rent(operations.Length)).AsSpan(0, operations.Length);
        try
        {
            var shardCount = PlanUnsynchronized(operations, states, lockOrder);
            var entered = 0;
            try
            {
                for (; entered < shardCount; entered++)
                {
                    _shards[lockOrder[entered]].Gate.Enter();
                }

                ApplyLocked(operations, results, states, nowTicks);
            }
            finally
            {
                for (var i = entered - 1; i >= 0; i--)
                {
                    _shards[lockOrder[i]].Gate.Exit();
                }
            }
        }
        finally
        {
            if (rentedStates is not null)
            {
                ArrayPool<OperationState>.Shared.Return(rentedStates);
            }

            if (rentedShards is not null)
            {
                ArrayPool<int>.Shared.Return(rentedShards);
            }
        }
    }

    /// <summary>One operation (the common case): one lock, no planning, and nothing to roll back.</summary>
    private void ApplySingle(in CounterOperation op, ref CounterResult result, long nowTicks)
    {
        var hash = op.Key.GetHashCode();
        var shard = _shards[(int)((uint)hash >> 24) & _shardMask];
        lock (shard.Gate)
        {
            var entry = shard.FindUnsynchronized(op.Key, hash);
            if (entry < 0 || !shard.LoadUnsynchronized(entry, nowTicks, out var a, out var b))
            {
                a = 0;
                b = 0;
            }

            result = Evaluate(ref a, ref b, op, nowTicks, out var expiresAtTicks);
            if (result.Spent)
            {
                shard.StoreUnsynchronized(entry >= 0 ? entry : shard.AddUnsynchronized(op.Key, hash, nowTicks), a, b, expiresAtTicks);
            }
        }
    }

    /// <summary>
    /// Hashes each key once, links operations on the same key (so a batch applies them in order), and fills
    /// <paramref name="lockOrder"/> with the distinct shards in ascending order: every caller locks in the same order, so
    /// batches spanning shards cannot deadlock. Touches no shared state. Returns the number of distinct shards.
    /// </summary>
    private int PlanUnsynchronized(ReadOnlySpan<CounterOperation> operations, Span<OperationState> states, Span<int> lockOrder)
    {
        var shardCount = 0;
        for (var i = 0; i < operations.Length; i++)
        {
            ref var state = ref states[i];
            var key = operations[i].Key;
            state.Hash = key.GetHashCode();
            state.Shard = (int)((uint)state.Hash >> 24) & _shardMask;
            state.Entry = -1;
            state.Previous = -1;
            for (var j = i - 1; j >= 0; j--)
            {
                if (states[j].Hash == state.Hash && string.Equals(operations[j].Key, key))
                {
                    state.Previous = j;
                    break;
                }
            }

            // Insertion into the sorted distinct list; batches are a handful of operations.
            var position = shardCount;
            while (position > 0 && lockOrder[position - 1] > state.Shard)
            {
                position--;
            }

            if (position > 0 && lockOrder[position - 1] == state.Shard)
            {
                continue;
            }

            for (var k = shardCount; k > position; k--)
            {
                lockOrder[k] = lockOrder[k - 1];
            }

            lockOrder[position] = state.Shard;
            shardCount++;
        }

        return shardCount;
    }

    /// <summary>Evaluates and commits a batch. The caller holds the locks of every shard involved.</summary>
    private void ApplyLocked(ReadOnlySpan<CounterOperation> operations, Span<CounterResult> results, Span<OperationState> states, long nowTicks)
    {
        var refused = false;
        for (var i = 0; i < operations.Length; i++)
        {
            ref readonly var op = ref operations[i];
            ref var state = ref states[i];
            LoadUnsynchronized(operations, states, i, nowTicks);
            results[i] = Evaluate(ref state.A, ref state.B, op, nowTicks, out state.ExpiresAtTicks);
            refused |= op.Mode == CounterMode.Acquire && !results[i].Allowed;
        }

        if (refused)
        {
            // All or nothing: replay the batch with every Acquire spending nothing, so Charge and Release operations that
            // follow an Acquire on the same key see the counter the Acquire left untouched.
            for (var i = 0; i < operations.Length; i++)
            {
                ref readonly var op = ref operations[i];
                ref var state = ref states[i];
                LoadUnsynchronized(operations, states, i, nowTicks);
                if (op.Mode == CounterMode.Acquire)
                {
                    var check = op;
                    check.Mode = CounterMode.Peek;
                    var unspent = Evaluate(ref state.A, ref state.B, check, nowTicks, out state.ExpiresAtTicks);
                    ref var result = ref results[i];
                    result.Spent = false;
                    result.DelayTicks = 0;
                    result.Remaining = unspent.Remaining;
                    result.ResetAfterTicks = unspent.ResetAfterTicks;
                }
                else
                {
                    results[i] = Evaluate(ref state.A, ref state.B, op, nowTicks, out state.ExpiresAtTicks);
                }
            }
        }

        for (var i = 0; i < operations.Length; i++)
        {
            if (results[i].Spent)
            {
                ref var state = ref states[i];
                var shard = _shards[state.Shard];
                var entry = state.Entry >= 0 && shard.Holds(state.Entry, operations[i].Key, state.Hash)
                    ? state.Entry
                    : shard.FindOrAddUnsynchronized(operations[i].Key, state.Hash, nowTicks);
                shard.StoreUnsynchronized(entry, state.A, state.B, state.ExpiresAtTicks);
            }
        }
    }

    /// <summary>Loads operation <paramref name="index"/>'s starting state: an earlier operation's result on the same key, the stored entry, or fresh.</summary>
    private void LoadUnsynchronized(ReadOnlySpan<CounterOperation> operations, Span<OperationState> states, int index, long nowTicks)
    {
        ref var state = ref states[index];
        if (state.Previous >= 0)
        {
            ref readonly var previous = ref states[state.Previous];
            state.A = previous.A;
            state.B = previous.B;
            state.Entry = previous.Entry;
            return;
        }

        var shard = _shards[state.Shard];
        state.Entry = shard.FindUnsynchronized(operations[index].Key, state.Hash);
        if (state.Entry < 0 || !shard.LoadUnsynchronized(state.Entry, nowTicks, out state.A, out state.B))
        {
            // Absent or expired: the zero state is a fresh counter for every algorithm.
            state.A = 0;
            state.B = 0;
        }
    }

    private static CounterResult Evaluate(ref long a, ref long b, in CounterOperation op, long nowTicks, out long expiresAtTicks) => op.Algorithm switch
    {
        LimitAlgorithm.TokenBucket => TokenBucketAlgorithm.Apply(ref a, ref b, op, nowTicks, out expiresAtTicks),
        LimitAlgorithm.Gcra => GcraAlgorithm.Apply(ref a, ref b, op, nowTicks, out expiresAtTicks),
        LimitAlgorithm.SlidingWindow => SlidingWindowAlgorithm.Apply(ref a, ref b, op, nowTicks, out expiresAtTicks),
        LimitAlgorithm.FixedWindow => FixedWindowAlgorithm.Apply(ref a, ref b, op, nowTicks, out expiresAtTicks),
        _ => ConcurrencyAlgorithm.Apply(ref a, ref b, op, nowTicks, out expiresAtTicks),
    };

    private static void Validate(in CounterOperation op, int index)
    {
        if (op.Key is null)
        {
            ThrowInvalid(index, "has no Key; set it to the limit name and the client value, like 'login-ip|203.0.113.7'");
        }

        if (op.PeriodTicks <= 0)
        {
            ThrowInvalid(index, "needs a PeriodTicks above 0; use TimeSpan ticks, like TimeSpan.FromMinutes(1).Ticks");
        }

        if (op.Permits < 0 || op.Cost < 0)
        {
            ThrowInvalid(index, "has a negative Permits or Cost; use 0 or more (Permits 0 refuses everything)");
        }

        if ((op.Algorithm is LimitAlgorithm.TokenBucket or LimitAlgorithm.Gcra) && op.Burst < 1)
        {
            ThrowInvalid(index, "needs a Burst of at least 1 for a token bucket or GCRA; set it to Permits for a bucket of one period");
        }

        if (op.Algorithm > LimitAlgorithm.Concurrency || op.Mode > CounterMode.Release)
        {
            ThrowInvalid(index, "has an unknown Algorithm or Mode");
        }
    }

    [DoesNotReturn]
    private static void ThrowInvalid(int index, string problem) =>
        throw new ArgumentException($"Operation {index} {problem}.", "operations");

    [DoesNotReturn]
    private static void ThrowResultsTooShort() =>
        throw new ArgumentException("results must have room for one result per operation.", "results");

    [DoesNotReturn]
    private static void ThrowNegativeNow() =>
        throw new ArgumentOutOfRangeException("nowTicks", "nowTicks is UTC ticks (DateTimeOffset.UtcTicks) and cannot be negative.");

    /// <summary>Per-operation scratch for one call; lives on the stack.</summary>
    [StructLayout(LayoutKind.Auto)]
    private struct OperationState
    {
        public int Hash;
        public int Shard;
        public int Entry;
        public int Previous;
        public long A;
        public long B;
        public long ExpiresAtTicks;
    }

    /// <summary>40 bytes: the key reference, its hash, the chain link and the algorithm's three longs.</summary>
    [StructLayout(LayoutKind.Auto)]
    private struct Entry
    {
        public string Key;
        public int HashCode;
        public int Next;
        public long A;
        public long B;
        public long ExpiresAtTicks;
    }

    /// <summary>One lock's worth of the table. Methods named Unsynchronized need <see cref="Gate"/> held.</summary>
    private sealed class Shard
    {
        private const int InitialCapacity = 16;

        /// <summary>Slots examined per reclaim: enough to usually find an expired one, few enough to stay O(1).</summary>
        private const int SampleSize = 8;

        private readonly int _maxCapacity;
        private int[] _buckets;
        private Entry[] _entries;
        private int _used;
        private int _hand;

        public Shard(int maxCapacity)
        {
            _maxCapacity = maxCapacity;
            var capacity = Math.Min(InitialCapacity, maxCapacity);
            _entries = new Entry[capacity];
            _buckets = new int[BitOperations.RoundUpToPowerOf2((uint)capacity)];
        }

        public Lock Gate { get; } = new();

        public int Count => Volatile.Read(ref _used);

        /// <summary>Whether slot <paramref name="index"/> still holds <paramref name="key"/> (an earlier insert in the batch may have evicted it).</summary>
        public bool Holds(int index, string key, int hash)
        {
            ref var entry = ref _entries[index];
            return entry.HashCode == hash && string.Equals(entry.Key, key);
        }

        public int FindUnsynchronized(string key, int hash)
        {
            var entries = _entries;
            var index = _buckets[hash & (_buckets.Length - 1)] - 1;
            while ((uint)index < (uint)entries.Length)
            {
                ref var entry = ref entries[index];
                if (entry.HashCode == hash && string.Equals(entry.Key, key))
                {
                    return index;
                }

                index = entry.Next;
            }

            return -1;
        }

        /// <summary>Reads slot <paramref name="index"/>, or returns false if it has expired (and so reads as fresh).</summary>
        public bool LoadUnsynchronized(int index, long nowTicks, out long a, out long b)
        {
            ref var entry = ref _entries[index];
            a = entry.A;
            b = entry.B;
            return entry.ExpiresAtTicks > nowTicks;
        }

        public void StoreUnsynchronized(int index, long a, long b, long expiresAtTicks)
        {
            ref var entry = ref _entries[index];
            entry.A = a;
            entry.B = b;
            entry.ExpiresAtTicks = expiresAtTicks;
        }

        public int FindOrAddUnsynchronized(string key, int hash, long nowTicks)
        {
            var index = FindUnsynchronized(key, hash);
            return index >= 0 ? index : AddUnsynchronized(key, hash, nowTicks);
        }

        public int AddUnsynchronized(string key, int hash, long nowTicks)
        {
            int index;
            if (_used < _entries.Length)
            {
                index = _used;
                Volatile.Write(ref _used, _used + 1);
            }
            else
            {
                // Full: prefer an expired slot (keeps memory proportional to live keys), then growth, then eviction.
                index = SampleUnsynchronized(nowTicks, out var soonest);
                if (index < 0 && _entries.Length < _maxCapacity)
                {
                    GrowUnsynchronized();
                    index = _used;
                    Volatile.Write(ref _used, _used + 1);
                }
                else
                {
                    index = index >= 0 ? index : soonest;
                    UnlinkUnsynchronized(index);
                }
            }

            ref var bucket = ref _buckets[hash & (_buckets.Length - 1)];
            ref var entry = ref _entries[index];
            entry.Key = key;
            entry.HashCode = hash;
            entry.Next = bucket - 1;
            entry.A = 0;
            entry.B = 0;
            entry.ExpiresAtTicks = nowTicks;
            bucket = index + 1;
            return index;
        }

        /// <summary>Advances the clock hand over up to <see cref="SampleSize"/> slots; returns an expired one, or -1 with the one expiring soonest.</summary>
        private int SampleUnsynchronized(long nowTicks, out int soonest)
        {
            Debug.Assert(_used > 0);
            soonest = _hand;
            var soonestAt = long.MaxValue;
            for (var i = 0; i < SampleSize && i < _used; i++)
            {
                var index = _hand;
                _hand = index + 1 == _used ? 0 : index + 1;
                var expiresAt = _entries[index].ExpiresAtTicks;
                if (expiresAt <= nowTicks)
                {
                    return index;
                }

                if (expiresAt < soonestAt)
                {
                    soonestAt = expiresAt;
                    soonest = index;
                }
            }

            return -1;
        }

        private void UnlinkUnsynchronized(int index)
        {
            ref var bucket = ref _buckets[_entries[index].HashCode & (_buckets.Length - 1)];
            if (bucket - 1 == index)
            {
                bucket = _entries[index].Next + 1;
                return;
            }

            var previous = bucket - 1;
            while (_entries[previous].Next != index)
            {
                previous = _entries[previous].Next;
                Debug.Assert(previous >= 0, "an occupied slot is always on its bucket's chain");
            }

            _entries[previous].Next = _entries[index].Next;
        }

        private void GrowUnsynchronized()
        {
            var capacity = (int)Math.Min((long)_entries.Length * 2, _maxCapacity);
            var entries = new Entry[capacity];
            Array.Copy(_entries, entries, _used);
            var buckets = new int[BitOperations.RoundUpToPowerOf2((uint)capacity)];
            var mask = buckets.Length - 1;
            for (var i = 0; i < _used; i++)
            {
                ref var bucket = ref buckets[entries[i].HashCode & mask];
                entries[i].Next = bucket - 1;
                bucket = i + 1;
            }

            _entries = entries;
            _buckets = buckets;
        }
    }
}
