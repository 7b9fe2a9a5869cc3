namespace Bulwark.Core.Replay;

/// <summary>
/// Cumulative mitigated count against the index of a record within its label, sampled so it stays bounded: a point
/// every <c>step</c> records, the step doubling (and every other point dropped) whenever <see cref="MaxPoints"/> are
/// held. One label's curve costs at most <see cref="MaxPoints"/> × 16 bytes, whatever the input's length.
/// </summary>
public sealed class MitigationCurve
{
    /// <summary>Most points held.</summary>
    public const int MaxPoints = 256;

    private readonly List<(long Index, long Mitigated)> _points = [];
    private long _step = 1;

    /// <summary>The sampled points, index ascending: (1-based index within the label, mitigated among the first that many).</summary>
    public IReadOnlyList<(long Index, long Mitigated)> Points => _points;

    /// <summary>Records the state after the label's <paramref name="index"/>-th record.</summary>
    internal void Add(long index, long mitigated)
    {
        if (index % _step != 0)
        {
            return;
        }

        if (_points.Count == MaxPoints)
        {
            // Keep the points on the doubled step (every other one, starting at the second) and sample half as often.
            var kept = 0;
            for (var i = 1; i < _points.Count; i += 2)
            {
                _points[kept++] = _points[i];
            }

            _points.RemoveRange(kept, _points.Count - kept);
            _step *= 2;
            if (index % _step != 0)
            {
                return;
            }
        }

        _points.Add((index, mitigated));
    }
}
