using System.Text;

namespace Bulwark.Core.Schema;

/// <summary>
/// The path from the request root to the value under validation, kept as a stack of segments so that nothing is formatted
/// until a failure needs its pointer (RFC 6901: <c>~</c> as <c>~0</c>, <c>/</c> as <c>~1</c>).
/// </summary>
internal sealed class JsonPointerTrail
{
    /// <summary>Longest member name written into a pointer; longer names are cut and end in <c>…</c>.</summary>
    public const int MaxNameLength = 64;

    private readonly List<(string? Name, int Index)> _segments = new(16);

    public int Depth => _segments.Count;

    public void Push(string name) => _segments.Add((name, -1));

    public void Push(int index) => _segments.Add((null, index));

    public void Pop() => _segments.RemoveAt(_segments.Count - 1);

    public void Clear() => _segments.Clear();

    public override string ToString()
    {
        if (_segments.Count == 0)
        {
            return "";
        }

        var builder = new StringBuilder(64);
        foreach (var (name, index) in _segments)
        {
            builder.Append('/');
            if (name is null)
            {
                builder.Append(index);
            }
            else
            {
                // Member names come from the client: a long one is cut so it cannot flood logs and decision records.
                var shown = name.Length > MaxNameLength ? name[..MaxNameLength] + "…" : name;
                builder.Append(shown.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal));
            }
        }

        return builder.ToString();
    }
}
