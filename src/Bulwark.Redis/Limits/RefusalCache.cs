using Bulwark.Core.Limits;

namespace Bulwark.Redis.Limits;

/// <summary>
/// Counters known to refuse until a time: after Redis refused an operation, a later call whose outcome is already
/// certain is answered here, without a Redis call, so an attack on one hot key costs Redis nothing until the key's
/// retry time.
/// </summary>
/// <remarks>
/// <para>
/// Why a refusal can be trusted until its retry time: for token bucket, GCRA, fixed and sliding window, the counter only
/// gets fuller through other calls (Acquire and Charge spend, nothing un-spends) and only recovers with time, so an
/// operation Redis refused at <c>t</c> with <c>RetryAfter r</c> is refused for every call before <c>t + r</c>, whichever
/// gateway spends meanwhile (clock skew only delays recovery further: a caller behind the last writer refills nothing).
/// With <see cref="CounterOperation.MaxDelayTicks"/> the refusal holds until <c>t + r − MaxDelay</c> (from then on the
/// request would be admitted late). A higher cost needs longer, so the entry also holds for operations of a higher cost.
/// Concurrency counters are never cached: another gateway's Release frees a lease at any moment.
/// </para>
/// <para>
/// Entries are keyed by the counter key's 64-bit keyed hash (<see cref="CounterKeyHash"/>, the in-memory store's) mixed
/// with the limit's parameters (algorithm, permits, period, burst, max delay), so a configuration reload that changes a
/// limit never finds the old limit's refusal. Only the hash is kept, not the key string: 40 bytes per entry, fixed at
/// construction. A false hit needs a 64-bit collision of a secret-seeded hash (about <c>entries / 2⁶⁴</c> per lookup).
/// A caller whose clock is behind the refusal's own time (concurrent requests finishing out of order, a clock that
/// stepped back) is refused too, since a bucket never refills when the clock goes back and a window keeps its count
/// within the same window; its retry and reset times are counted from the refusal's time, as Redis counts them from the
/// counter's last update. A caller in an earlier window than the refusal's goes to Redis.
/// Limits of zero permits (always refused, retry a period away from each call) are not cached either.
/// The table is 4-way set associative; a new refusal replaces an expired entry of its set, else the one that ends first.
/// </para>
/// </remarks>
internal sealed class RefusalCache
{
    private const int Ways = 4;
    private const int Stripes = 64;

    private readonly Entry[] _entries;
    private readonly int _setMask;
    private readonly Lock[] _locks;

    /// <summary>A table of at least <paramref name="capacity"/> entries (rounded up to a power of two, at least 4).</summary>
    public RefusalCache(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        var sets = (int)Math.Max(1, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)((capacity + Ways - 1) / Ways)));
        _entries = new Entry[sets * Ways];
        _setMask = sets - 1;
        _locks = new Lock[Stripes];
        for (var i = 0; i < _locks.Length; i++)
        {
            _locks[i] = new Lock();
        }
    }

    /// <summary>How many refusals the table holds at most.</summary>
    public int Capacity => _entries.Length;

    /// <summary>Bytes per entry (the table is one array of them).</summary>
    public static int BytesPerEntry => System.Runtime.CompilerServices.Unsafe.SizeOf<Entry>();

    /// <summary>Whether a refusal of <paramref name="op"/> can be cached at all (and looked up).</summary>
    public static bool Cacheable(in CounterOperation op) =>
        op.Mode is CounterMode.Acquire or CounterMode.Peek
        && op.Algorithm != LimitAlgorithm.Concurrency
        && op.Permits > 0
        && op.Cost is > 0 and <= int.MaxValue;

    /// <summary>The cache key of <paramref name="op"/>: the counter key's hash mixed with the limit's parameters.</summary>
    public static ulong KeyOf(in CounterOperation op, ulong keyHash)
    {
        var h = keyHash;
        h = Mix(h ^ (ulong)op.Algorithm);
        h = Mix(h ^ (ulong)op.Permits);
        h = Mix(h ^ (ulong)op.PeriodTicks);
        h = Mix(h ^ (ulong)op.Burst);
        h = Mix(h ^ (ulong)op.MaxDelayTicks);
        return h == 0 ? 1 : h;
    }

    /// <summary>
    /// The refusal known for <paramref name="op"/> at <paramref name="nowTicks"/>: true with the result Redis would
    /// give for this operation (refused, its retry and reset times counted from now; Remaining as last seen).
    /// </summary>
    public bool TryGet(ulong key, in CounterOperation op, long nowTicks, out CounterResult result)
    {
        var set = (int)(key & (ulong)_setMask);
        var start = set * Ways;
        lock (_locks[set & (Stripes - 1)])
        {
            for (var i = start; i < start + Ways; i++)
            {
                ref readonly var e = ref _entries[i];
                if (e.Key != key)
                {
                    continue;
                }

                var delay = op.Mode == CounterMode.Acquire ? op.MaxDelayTicks : 0;
                // A caller behind the refusal's time finds a bucket no fuller than then (it never refills backwards), and a
                // window no emptier as long as it is the same window; an earlier window is counted afresh, so ask Redis.
                var at = Math.Max(nowTicks, e.SeenAtTicks);
                if (op.Cost < e.Cost || at >= e.RetryAtTicks - delay
                    || (nowTicks < e.SeenAtTicks && op.Algorithm is LimitAlgorithm.FixedWindow or LimitAlgorithm.SlidingWindow && nowTicks / op.PeriodTicks != e.SeenAtTicks / op.PeriodTicks))
                {
                    break;
                }

                result = new CounterResult
                {
                    Allowed = false,
                    Spent = false,
                    Remaining = e.Remaining,
                    ResetAfterTicks = Math.Max(0, e.ResetAtTicks - at),
                    RetryAfterTicks = e.RetryAtTicks - at,
                };
                return true;
            }
        }

        result = default;
        return false;
    }

    /// <summary>Remembers that Redis refused <paramref name="op"/> at <paramref name="nowTicks"/> with <paramref name="result"/>.</summary>
    public void Add(ulong key, in CounterOperation op, in CounterResult result, long nowTicks)
    {
        if (result.Allowed || result.RetryAfterTicks <= 0 || result.RetryAfterTicks == long.MaxValue)
        {
            return;
        }

        var retryAt = nowTicks + result.RetryAfterTicks;
        var delay = op.Mode == CounterMode.Acquire ? op.MaxDelayTicks : 0;
        if (retryAt - delay <= nowTicks)
        {
            return;
        }

        var entry = new Entry
        {
            Key = key,
            RetryAtTicks = retryAt,
            SeenAtTicks = nowTicks,
            ResetAtTicks = nowTicks + result.ResetAfterTicks,
            Cost = (int)op.Cost,
            Remaining = (int)Math.Min(result.Remaining, int.MaxValue),
        };
        var set = (int)(key & (ulong)_setMask);
        var start = set * Ways;
        lock (_locks[set & (Stripes - 1)])
        {
            var victim = start;
            for (var i = start; i < start + Ways; i++)
            {
                ref readonly var e = ref _entries[i];
                if (e.Key == key)
                {
                    // Keep whichever refusal says more: the later retry time (for the lower cost when they differ).
                    if (e.RetryAtTicks >= retryAt && e.Cost <= entry.Cost)
                    {
                        return;
                    }

                    victim = i;
                    break;
                }

                if (e.Key == 0 || e.RetryAtTicks <= nowTicks)
                {
                    victim = i;
                    break;
                }

                if (e.RetryAtTicks < _entries[victim].RetryAtTicks)
                {
                    victim = i;
                }
            }

            _entries[victim] = entry;
        }
    }

    /// <summary>Forgets every refusal (after an operator reset counters, for instance).</summary>
    public void Clear()
    {
        for (var s = 0; s < Stripes; s++)
        {
            lock (_locks[s])
            {
                for (var set = s; set <= _setMask; set += Stripes)
                {
                    Array.Clear(_entries, set * Ways, Ways);
                }
            }
        }
    }

    private static ulong Mix(ulong x)
    {
        // splitmix64's finalizer: every input bit reaches every output bit.
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }

    private struct Entry
    {
        public ulong Key;
        public long RetryAtTicks;
        public long ResetAtTicks;
        public long SeenAtTicks;
        public int Cost;
        public int Remaining;
    }
}
