using System.Buffers;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Bulwark.Core.Limits;

/// <summary>
/// A bounded in-process counter store: a sharded open-addressing hash table of 32-byte entries, at most
/// <c>maxEntries</c> counters. An entry holds a keyed 64-bit hash of its key (see <see cref="CounterKeyHash"/>), not the
/// key string, so a tracked key costs <see cref="BytesPerEntry"/> bytes and nothing more. Each entry expires when its
/// counter is indistinguishable from a fresh one (bucket full, windows passed, no lease out; a concurrency counter with
/// leases out 10 minutes after its last touch). At the bound a new key evicts, among a sample of 8 entries under a clock
/// hand, an expired one, else the one that would expire soonest: that key's count is forgotten, so the limit fails open
/// for it. The bound is split evenly across shards, so eviction can start slightly before the total reaches it.
/// </summary>
/// <remarks>
/// Why not a <c>ConcurrentDictionary&lt;string, …&gt;</c>: its node, the key string and a value object cost 150–200 bytes
/// per key and three dependent cache misses per lookup; here it is one 32-byte slot, found in one miss.
/// </remarks>
public sealed class InMemoryCounterStore : ISynchronousCounterStore
{
    /// <summary>Operations per call handled with stack memory; longer batches rent arrays.</summary>
    private const int StackOperations = 16;

    private const int MaxShards = 64;

    private readonly Shard[] _shards;
    private readonly int _shardShift;

    /// <summary>Creates a store that holds at most <paramref name="maxEntries"/> counters.</summary>
    public InMemoryCounterStore(int maxEntries = 1_000_000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEntries, 1);

        // Enough shards that contention is rare, few enough that each holds a useful share of the bound.
        var shardCount = (int)Math.Clamp(BitOperations.RoundUpToPowerOf2((uint)Math.Max(maxEntries / 1024, 1)), 1, MaxShards);
        _shards = new Shard[shardCount];
        _shardShift = 64 - BitOperations.Log2((uint)shardCount);
        var share = maxEntries / shardCount;
        var remainder = maxEntries % shardCount;
        for (var i = 0; i < shardCount; i++)
        {
            _shards[i] = new Shard(share + (i < remainder ? 1 : 0));
        }
    }

    /// <summary>
    /// Bytes one tracked counter costs at the bound: a 32-byte slot at a load factor of at most 3/4, so 43 bytes. A shard
    /// grows by half when it reaches 3/4 full, so below the bound a counter costs between 43 and 64 bytes. No key string
    /// is kept.
    /// </summary>
    public static int BytesPerEntry => 43;

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
            CounterOperationValidation.Validate(operations[i], i, keyedByHash: true);
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
                    _shards[lockOrder[entered]].Enter();
                }

                ApplyLocked(operations, results, states, nowTicks);
            }
            finally
            {
                for (var i = entered - 1; i >= 0; i--)
                {
                    _shards[lockOrder[i]].Exit();
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
        var hash = HashOf(op);
        var shard = _shards[ShardOf(hash)];
        shard.Enter();
        try
        {
            var entry = shard.FindUnsynchronized(hash);
            if (entry < 0 || !shard.LoadUnsynchronized(entry, nowTicks, out var a, out var b))
            {
                a = 0;
                b = 0;
            }

            result = Evaluate(ref a, ref b, op, nowTicks, out var expiresAtTicks);
            if (result.Spent)
            {
                shard.StoreUnsynchronized(entry >= 0 ? entry : shard.AddUnsynchronized(hash, nowTicks), a, b, expiresAtTicks);
            }
        }
        finally
        {
            shard.Exit();
        }
    }

    /// <summary>
    /// Test hook: the number of occupied slots that a lookup cannot reach (an empty slot between their home and them).
    /// Always 0 in a correct table. Takes every shard's gate in turn.
    /// </summary>
    internal int CountUnreachableEntries()
    {
        var unreachable = 0;
        foreach (var shard in _shards)
        {
            shard.Enter();
            try
            {
                unreachable += shard.CountUnreachableUnsynchronized();
            }
            finally
            {
                shard.Exit();
            }
        }

        return unreachable;
    }

    // The engine hands over keys already hashed from their parts (no key string); other callers give the key.
    private static ulong HashOf(in CounterOperation op) => op.KeyHash != 0 ? op.KeyHash : CounterKeyHash.Of(op.Key);

    private int ShardOf(ulong hash) => _shards.Length == 1 ? 0 : (int)(hash >> _shardShift);

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
            state.Hash = HashOf(operations[i]);
            state.Shard = ShardOf(state.Hash);
            state.Entry = -1;
            state.Previous = -1;
            for (var j = i - 1; j >= 0; j--)
            {
                if (states[j].Hash == state.Hash)
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
                var entry = state.Entry >= 0 && shard.Holds(state.Entry, state.Hash)
                    ? state.Entry
                    : shard.FindOrAddUnsynchronized(state.Hash, nowTicks);
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
        state.Entry = shard.FindUnsynchronized(state.Hash);
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
        public ulong Hash;
        public int Shard;
        public int Entry;
        public int Previous;
        public long A;
        public long B;
        public long ExpiresAtTicks;
    }

    /// <summary>32 bytes: the key's hash (0: empty slot) and the algorithm's three longs.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Entry
    {
        public ulong Key;
        public long A;
        public long B;
        public long ExpiresAtTicks;
    }

    /// <summary>
    /// One lock's worth of the table: linear probing over a slot array of any size (Lemire's multiply-shift maps a hash to a
    /// slot, so sizes need not be powers of two), at most 3/4 full, with backward-shift deletion (no tombstones). Methods
    /// named Unsynchronized need the shard entered.
    /// </summary>
    private sealed class Shard
    {
        private const int InitialCapacity = 16;

        /// <summary>Occupied slots examined per eviction: enough to usually find an expired one, few enough to stay O(1).</summary>
        private const int SampleSize = 8;

        private readonly int _maxCount;
        private readonly int _maxCapacity;
        private Entry[] _entries;
        private int _count;
        private int _limit;
        private int _hand;
        private int _gate;

        public Shard(int maxCount)
        {
            _maxCount = Math.Max(maxCount, 1);
            _maxCapacity = (int)Math.Min(((long)_maxCount * 4 / 3) + 1, int.MaxValue - 64);
            _entries = new Entry[Math.Min(InitialCapacity, _maxCapacity)];
            _limit = Math.Min(LimitFor(_entries.Length), _maxCount);
        }

        public int Count => Volatile.Read(ref _count);

        /// <summary>
        /// A spin gate rather than a monitor: it is held for a few dozen instructions, never around user code or I/O, so an
        /// uncontended enter is one compare-exchange and a contended one yields rather than blocks.
        /// </summary>
        public void Enter()
        {
            if (Interlocked.CompareExchange(ref _gate, 1, 0) != 0)
            {
                EnterContended();
            }
        }

        public void Exit() => Volatile.Write(ref _gate, 0);

        private void EnterContended()
        {
            var spinner = default(SpinWait);
            do
            {
                spinner.SpinOnce(sleep1Threshold: -1);
            }
            while (Volatile.Read(ref _gate) != 0 || Interlocked.CompareExchange(ref _gate, 1, 0) != 0);
        }

        /// <summary>Whether slot <paramref name="index"/> still holds <paramref name="hash"/> (an insert in the batch may have moved it).</summary>
        public bool Holds(int index, ulong hash) => (uint)index < (uint)_entries.Length && _entries[index].Key == hash;

        public int FindUnsynchronized(ulong hash)
        {
            var entries = _entries;
            var index = Home(hash, entries.Length);
            while (true)
            {
                var key = entries[index].Key;
                if (key == hash)
                {
                    return index;
                }

                if (key == 0)
                {
                    return -1;
                }

                index = index + 1 == entries.Length ? 0 : index + 1;
            }
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

        public int CountUnreachableUnsynchronized()
        {
            var unreachable = 0;
            for (var i = 0; i < _entries.Length; i++)
            {
                if (_entries[i].Key != 0 && FindUnsynchronized(_entries[i].Key) != i)
                {
                    unreachable++;
                }
            }

            return unreachable;
        }

        public int FindOrAddUnsynchronized(ulong hash, long nowTicks)
        {
            var index = FindUnsynchronized(hash);
            return index >= 0 ? index : AddUnsynchronized(hash, nowTicks);
        }

        /// <summary>Adds an absent key with a fresh (expired) state and returns its slot.</summary>
        public int AddUnsynchronized(ulong hash, long nowTicks)
        {
            if (_count >= _limit)
            {
                MakeRoomUnsynchronized(nowTicks);
            }

            var entries = _entries;
            var index = Home(hash, entries.Length);
            while (entries[index].Key != 0)
            {
                index = index + 1 == entries.Length ? 0 : index + 1;
            }

            entries[index] = new Entry { Key = hash, ExpiresAtTicks = nowTicks };
            Volatile.Write(ref _count, _count + 1);
            return index;
        }

        // Lemire's fast range reduction of the hash's low 32 bits (the high bits chose the shard).
        private static int Home(ulong hash, int length) => (int)(((ulong)(uint)hash * (ulong)length) >> 32);

        private static int LimitFor(int capacity) => (int)((long)capacity * 3 / 4);

        private void MakeRoomUnsynchronized(long nowTicks)
        {
            if (_entries.Length < _maxCapacity)
            {
                // Rebuilding drops expired entries; grow by half only if the live ones still need the room.
                var live = 0;
                foreach (ref readonly var entry in _entries.AsSpan())
                {
                    if (entry.Key != 0 && entry.ExpiresAtTicks > nowTicks)
                    {
                        live++;
                    }
                }

                var capacity = live + 1 > LimitFor(_entries.Length) * 2 / 3
                    ? (int)Math.Min((long)_entries.Length * 3 / 2, _maxCapacity)
                    : _entries.Length;
                RebuildUnsynchronized(capacity, nowTicks);
                if (_count < _limit)
                {
                    return;
                }
            }

            // At the bound: evict from a sample under the clock hand, an expired entry first, else the one expiring soonest.
            var entries = _entries;
            var victim = -1;
            var victimExpiresAt = long.MaxValue;
            for (int seen = 0, scanned = 0; seen < SampleSize && scanned < entries.Length; scanned++)
            {
                var index = _hand;
                _hand = index + 1 == entries.Length ? 0 : index + 1;
                if (entries[index].Key == 0)
                {
                    continue;
                }

                seen++;
                if (entries[index].ExpiresAtTicks < victimExpiresAt)
                {
                    victim = index;
                    victimExpiresAt = entries[index].ExpiresAtTicks;
                    if (victimExpiresAt <= nowTicks)
                    {
                        break;
                    }
                }
            }

            Debug.Assert(victim >= 0, "a full shard has occupied slots");
            RemoveUnsynchronized(victim);
        }

        private void RebuildUnsynchronized(int capacity, long nowTicks)
        {
            var old = _entries;
            var entries = new Entry[capacity];
            var count = 0;
            foreach (ref readonly var entry in old.AsSpan())
            {
                if (entry.Key == 0 || entry.ExpiresAtTicks <= nowTicks)
                {
                    continue;
                }

                var index = Home(entry.Key, capacity);
                while (entries[index].Key != 0)
                {
                    index = index + 1 == capacity ? 0 : index + 1;
                }

                entries[index] = entry;
                count++;
            }

            _entries = entries;
            _limit = Math.Min(LimitFor(capacity), _maxCount);
            _hand = 0;
            Volatile.Write(ref _count, count);
        }

        /// <summary>Empties slot <paramref name="index"/> and shifts back the entries of its probe run that can move closer to home.</summary>
        private void RemoveUnsynchronized(int index)
        {
            var entries = _entries;
            var hole = index;
            var next = index;
            while (true)
            {
                next = next + 1 == entries.Length ? 0 : next + 1;
                var key = entries[next].Key;
                if (key == 0)
                {
                    break;
                }

                var home = Home(key, entries.Length);
                var stays = hole <= next ? hole < home && home <= next : hole < home || home <= next;
                if (!stays)
                {
                    entries[hole] = entries[next];
                    hole = next;
                }
            }

            entries[hole] = default;
            Volatile.Write(ref _count, _count - 1);
        }
    }
}
