namespace Bulwark.Core.Schema;

/// <summary>
/// An OpenAPI path template (<c>/api/products/{id}</c>) compiled to segments. Parameters span a whole segment; a template with
/// text around a parameter (<c>/files/{name}.json</c>) matches that segment by prefix and suffix.
/// </summary>
internal sealed class PathTemplate
{
    private readonly Segment[] _segments;

    private PathTemplate(string text, Segment[] segments)
    {
        Text = text;
        _segments = segments;
        LiteralCount = segments.Count(s => s.Parameter is null);
    }

    public string Text { get; }

    public int SegmentCount => _segments.Length;

    /// <summary>Literal segments: a template with more of them is more specific and is tried first.</summary>
    public int LiteralCount { get; }

    public IEnumerable<string> ParameterNames => _segments.Where(s => s.Parameter is not null).Select(s => s.Parameter!);

    public static PathTemplate? Parse(string basePath, string template, out string? error)
    {
        error = null;
        var text = basePath.TrimEnd('/') + template;
        var parts = text.Trim('/').Split('/', StringSplitOptions.None);
        if (text.Trim('/').Length == 0)
        {
            parts = [];
        }

        var segments = new Segment[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i];
            var open = part.IndexOf('{', StringComparison.Ordinal);
            if (open < 0)
            {
                segments[i] = new Segment(part, null, null);
                continue;
            }

            var close = part.IndexOf('}', open);
            if (close < 0 || part.IndexOf('{', open + 1) >= 0 || close == open + 1)
            {
                error = $"path template '{template}' has a malformed parameter in segment '{part}' (write one {{name}} per segment)";
                return null;
            }

            segments[i] = new Segment(part[..open], part[(open + 1)..close], part[(close + 1)..]);
        }

        return new PathTemplate(text, segments);
    }

    /// <summary>Whether <paramref name="path"/> matches; parameter values (still percent-encoded) go to <paramref name="values"/>.</summary>
    public bool TryMatch(string path, Span<Range> values)
    {
        var span = path.AsSpan();
        var start = span.Length > 0 && span[0] == '/' ? 1 : 0;
        var end = span.Length > start && span[^1] == '/' ? span.Length - 1 : span.Length;
        if (end <= start)
        {
            return _segments.Length == 0;
        }

        var index = 0;
        var parameter = 0;
        var position = start;
        while (true)
        {
            if (index == _segments.Length)
            {
                return false;
            }

            var slash = span[position..end].IndexOf('/');
            var segmentEnd = slash < 0 ? end : position + slash;
            var segment = span[position..segmentEnd];
            ref readonly var expected = ref _segments[index];
            if (expected.Parameter is null)
            {
                if (!segment.SequenceEqual(expected.Literal))
                {
                    return false;
                }
            }
            else
            {
                if (segment.Length <= expected.Literal.Length + expected.Suffix!.Length
                    || !segment.StartsWith(expected.Literal, StringComparison.Ordinal)
                    || !segment.EndsWith(expected.Suffix, StringComparison.Ordinal))
                {
                    return false;
                }

                values[parameter++] = new Range(position + expected.Literal.Length, segmentEnd - expected.Suffix.Length);
            }

            index++;
            if (slash < 0)
            {
                return index == _segments.Length;
            }

            position = segmentEnd + 1;
        }
    }

    private readonly record struct Segment(string Literal, string? Parameter, string? Suffix);
}
