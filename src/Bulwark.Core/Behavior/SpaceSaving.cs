namespace Bulwark.Core.Behavior;

/// <summary>
/// The Space-Saving heavy-hitter summary (Metwally, Agrawal and El Abbadi, 2005) over 64-bit keys: <c>capacity</c>
/// counters; a key not tracked replaces the smallest counter and inherits its count plus one. Any key with more than
/// total / capacity occurrences is tracked, and a tracked count overestimates by at most the smallest counter. Memory is
/// fixed (16 bytes per counter) whatever the number of distinct keys. Not thread-safe: the owner locks.
/// </summary>
internal sealed class SpaceSaving
{
    private readonly ulong[] _keys;
    private readonly long[] _counts;
    private int _used;

    public SpaceSaving(int capacity)
    {
        _keys = new ulong[capacity];
        _counts = new long[capacity];
    }

    public int Used => _used;

    public ReadOnlySpan<ulong> Keys => _keys.AsSpan(0, _used);

    public ReadOnlySpan<long> Counts => _counts.AsSpan(0, _used);

    /// <summary>Counts one occurrence of <paramref name="key"/>; returns its (over-)estimated count.</summary>
    public long Add(ulong key)
    {
        var index = _keys.AsSpan(0, _used).IndexOf(key);
        if (index >= 0)
        {
            return ++_counts[index];
        }

        if (_used < _keys.Length)
        {
            _keys[_used] = key;
            return _counts[_used++] = 1;
        }

        var min = 0;
        for (var i = 1; i < _used; i++)
        {
            if (_counts[i] < _counts[min])
            {
                min = i;
            }
        }

        _keys[min] = key;
        return ++_counts[min];
    }

    public long CountOf(ulong key)
    {
        var index = _keys.AsSpan(0, _used).IndexOf(key);
        return index >= 0 ? _counts[index] : 0;
    }

    public void Clear() => _used = 0;
}
