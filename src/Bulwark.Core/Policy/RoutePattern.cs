namespace Bulwark.Core.Policy;

/// <summary>
/// A compiled path pattern: literal segments, one-segment wildcards (<c>{id}</c>, <c>*</c>) and a trailing catch-all
/// (<c>**</c>, <c>{**rest}</c>). Matching walks the path once without allocating.
/// </summary>
public sealed class RoutePattern
{
    private readonly string?[] _segments; // null = any one segment
    private readonly bool _catchAll;

    private RoutePattern(string text, string?[] segments, bool catchAll)
    {
        Text = text;
        _segments = segments;
        _catchAll = catchAll;
    }

    /// <summary>The pattern as written.</summary>
    public string Text { get; }

    /// <summary>Whether the pattern ends in a catch-all (<c>**</c> or <c>{**rest}</c>): it fences a subtree rather than naming a path.</summary>
    public bool HasCatchAll => _catchAll;

    /// <summary>Whether pattern text <paramref name="pattern"/> ends in a catch-all, without compiling it.</summary>
    public static bool EndsWithCatchAll(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        var trimmed = pattern.AsSpan().TrimEnd('/');
        var slash = trimmed.LastIndexOf('/');
        var last = slash < 0 ? trimmed : trimmed[(slash + 1)..];
        return last is "**" || last.StartsWith("{**", StringComparison.Ordinal);
    }

    /// <summary>Compiles a validated pattern.</summary>
    public static RoutePattern Parse(string pattern)
    {
        var pieces = pattern.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        var catchAll = pieces.Length > 0 && pieces[^1] is "**" || (pieces.Length > 0 && pieces[^1].StartsWith("{**", StringComparison.Ordinal));
        var count = catchAll ? pieces.Length - 1 : pieces.Length;
        var segments = new string?[count];
        for (var i = 0; i < count; i++)
        {
            var piece = pieces[i];
            segments[i] = piece == "*" || (piece.StartsWith('{') && piece.EndsWith('}')) ? null : piece;
        }

        return new RoutePattern(pattern, segments, catchAll);
    }

    /// <summary>Whether <paramref name="path"/> (no query string) matches, case-insensitively.</summary>
    public bool IsMatch(ReadOnlySpan<char> path)
    {
        var index = 0;
        var rest = path.TrimStart('/');
        while (!rest.IsEmpty)
        {
            var slash = rest.IndexOf('/');
            var segment = slash < 0 ? rest : rest[..slash];
            rest = slash < 0 ? [] : rest[(slash + 1)..];
            if (segment.IsEmpty)
            {
                continue; // tolerate "//" and a trailing slash
            }

            if (index == _segments.Length)
            {
                return _catchAll;
            }

            var literal = _segments[index];
            if (literal is not null && !segment.Equals(literal, StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }

            index++;
        }

        return index == _segments.Length;
    }
}
