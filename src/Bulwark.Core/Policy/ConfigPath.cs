using System.Globalization;

namespace Bulwark.Core.Policy;

/// <summary>Builds JSON paths for errors and suggests the known key nearest to a misspelt one.</summary>
internal static class ConfigPath
{
    /// <summary>The path of the root <c>Bulwark</c> object.</summary>
    public const string Root = "$.Bulwark";

    /// <summary><c>path.name</c>, or <c>path['name']</c> when the name is not a plain word.</summary>
    public static string Property(string path, string name)
    {
        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not '_' and not '-')
            {
                return $"{path}['{name.Replace("'", "\\'", StringComparison.Ordinal)}']";
            }
        }

        return name.Length == 0 ? $"{path}['']" : $"{path}.{name}";
    }

    /// <summary><c>path[index]</c>.</summary>
    public static string Index(string path, int index) => $"{path}[{index.ToString(CultureInfo.InvariantCulture)}]";

    /// <summary>The candidate within edit distance 2 of <paramref name="written"/> (ignoring case), or null.</summary>
    public static string? Suggest(string written, IEnumerable<string> candidates)
    {
        string? best = null;
        var bestDistance = 3;
        foreach (var candidate in candidates)
        {
            var distance = EditDistance(written.ToLowerInvariant(), candidate.ToLowerInvariant());
            if (distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        return best;
    }

    /// <summary>" Did you mean "X"?" when a candidate is close, else an empty string.</summary>
    public static string DidYouMean(string written, IEnumerable<string> candidates) =>
        Suggest(written, candidates) is { } suggestion ? $" Did you mean \"{suggestion}\"?" : "";

    /// <summary>Levenshtein distance; keys are short, so the plain two-row algorithm is enough.</summary>
    internal static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j], current[j - 1]) + 1);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
