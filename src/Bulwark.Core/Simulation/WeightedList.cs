namespace Bulwark.Core.Simulation;

/// <summary>Items drawn in proportion to their weights.</summary>
public sealed class WeightedList<T>
{
    private readonly T[] _items;
    private readonly double[] _cumulative;

    /// <summary>Creates the list; items of weight zero or less are never drawn.</summary>
    public WeightedList(IEnumerable<(T Item, double Weight)> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        var list = new List<T>();
        var cumulative = new List<double>();
        double total = 0;
        foreach (var (item, weight) in items)
        {
            if (weight > 0)
            {
                total += weight;
                list.Add(item);
                cumulative.Add(total);
            }
        }

        if (list.Count == 0)
        {
            throw new ArgumentException("a weighted list needs at least one item of positive weight", nameof(items));
        }

        _items = [.. list];
        _cumulative = [.. cumulative];
    }

    /// <summary>The items.</summary>
    public IReadOnlyList<T> Items => _items;

    /// <summary>One item, drawn by weight.</summary>
    public T Next(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var index = Array.BinarySearch(_cumulative, random.NextDouble() * _cumulative[^1]);
        return _items[Math.Min(index < 0 ? ~index : index, _items.Length - 1)];
    }
}
