using System.Buffers;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Bulwark.Core.Identity;

/// <summary>
/// The declared bots of the npm <c>crawler-user-agents</c> list: about 1,500 case-sensitive regular expressions. Each
/// pattern is compiled once, the first time it has to run (most never do), so loading the list costs little. To avoid running them all on every string, each pattern's longest required literal (a run
/// of plain characters outside groups, classes and alternations) goes into one multi-string search; a pattern is only run
/// where its literal occurs. Patterns with no usable literal (a top-level <c>|</c>, or all classes) are always run.
/// </summary>
public sealed class CrawlerList
{
    private const int MinLiteral = 3;
    private readonly Regex?[] _patterns;
    private readonly string[] _sources;
    private readonly SearchValues<string> _literals;
    private readonly Dictionary<char, (string Literal, int[] Patterns)[]> _byFirstChar;
    private readonly int[] _unanchored;
    private readonly HashSet<string> _libraries;

    private CrawlerList(IReadOnlyList<string> patterns, IEnumerable<string>? libraries = null)
    {
        _sources = [.. patterns];
        _libraries = new HashSet<string>(libraries ?? [], StringComparer.Ordinal);
        _patterns = new Regex[patterns.Count];
        var literalPatterns = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var always = new List<int>();
        for (var i = 0; i < patterns.Count; i++)
        {
            if (RequiredLiteral(patterns[i]) is { } literal)
            {
                if (!literalPatterns.TryGetValue(literal, out var list))
                {
                    literalPatterns[literal] = list = [];
                }

                list.Add(i);
            }
            else
            {
                always.Add(i);
            }
        }

        _unanchored = [.. always];
        _literals = SearchValues.Create([.. literalPatterns.Keys], StringComparison.Ordinal);
        _byFirstChar = literalPatterns
            .GroupBy(p => p.Key[0])
            .ToDictionary(g => g.Key, g => g.Select(p => (p.Key, p.Value.ToArray())).ToArray());
    }

    /// <summary>How many patterns the list holds.</summary>
    public int Count => _patterns.Length;

    /// <summary>How many patterns have no literal and run on every string.</summary>
    public int AlwaysRun => _unanchored.Length;

    /// <summary>Loads <c>crawler-user-agents.json</c> (an array of objects with a <c>pattern</c> member). A pattern that is not a
    /// valid .NET regular expression never matches.</summary>
    public static CrawlerList Load(string path)
    {
        using var stream = File.OpenRead(path);
        using var document = JsonDocument.Parse(stream);
        var patterns = new List<string>();
        var libraries = new List<string>();
        foreach (var entry in document.RootElement.EnumerateArray())
        {
            if (entry.TryGetProperty("pattern", out var pattern) && pattern.GetString() is { Length: > 0 } text)
            {
                patterns.Add(text);
                if (entry.TryGetProperty("tags", out var tags) && tags.ValueKind == JsonValueKind.Array
                    && tags.GetArrayLength() == 1 && tags[0].GetString() == HttpLibraryTag)
                {
                    libraries.Add(text);
                }
            }
        }

        return new CrawlerList(patterns, libraries);
    }

    /// <summary>The list's tag for an HTTP library's or tool's default User-Agent (okhttp, python-requests, curl …).</summary>
    public const string HttpLibraryTag = "http-library";

    /// <summary>A list from patterns given directly (tests, configuration); <paramref name="libraries"/> are those of them
    /// that name an HTTP library, not a bot.</summary>
    public static CrawlerList FromPatterns(IReadOnlyList<string> patterns, IEnumerable<string>? libraries = null)
    {
        ArgumentNullException.ThrowIfNull(patterns);
        return new CrawlerList(patterns, libraries);
    }

    /// <summary>
    /// True when <paramref name="pattern"/> is tagged only <c>http-library</c> in the list: it matches the default
    /// User-Agent of an HTTP stack (okhttp in Android apps, Go's, Java's, curl), which mobile apps, partners' integrations
    /// and scripts send alike — it names the library, it does not declare a bot.
    /// </summary>
    public bool IsHttpLibrary(string pattern) => _libraries.Contains(pattern);

    /// <summary>The first pattern (in list order of discovery) that matches <paramref name="userAgent"/>, or null.</summary>
    public string? Match(string userAgent)
    {
        ArgumentNullException.ThrowIfNull(userAgent);
        var text = userAgent.AsSpan();
        var offset = 0;
        while (offset < text.Length)
        {
            var found = text[offset..].IndexOfAny(_literals);
            if (found < 0)
            {
                break;
            }

            var at = offset + found;
            if (_byFirstChar.TryGetValue(text[at], out var candidates))
            {
                foreach (var (literal, patterns) in candidates)
                {
                    if (text[at..].StartsWith(literal, StringComparison.Ordinal) && FirstMatch(patterns, userAgent) is { } hit)
                    {
                        return hit;
                    }
                }
            }

            offset = at + 1;
        }

        return FirstMatch(_unanchored, userAgent);
    }

    private string? FirstMatch(int[] patterns, string userAgent)
    {
        foreach (var index in patterns)
        {
            try
            {
                // A race compiles a pattern twice at worst; both copies are equal.
                var regex = _patterns[index] ??= Compile(_sources[index]);
                if (regex.IsMatch(userAgent))
                {
                    return _sources[index];
                }
            }
            catch (RegexMatchTimeoutException)
            {
                // A pathological string against one pattern: that pattern says no.
            }
        }

        return null;
    }

    private static Regex Compile(string pattern)
    {
        try
        {
            return new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(50));
        }
        catch (ArgumentException)
        {
            return new Regex("(?!)", RegexOptions.None, TimeSpan.FromMilliseconds(50));
        }
    }

    /// <summary>The longest run of characters every match must contain, or null when the pattern has none worth using.</summary>
    internal static string? RequiredLiteral(string pattern)
    {
        var best = "";
        var run = new System.Text.StringBuilder();
        var depth = 0;
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '\\' && i + 1 < pattern.Length)
            {
                var next = pattern[++i];
                if (depth == 0 && !char.IsAsciiLetterOrDigit(next))
                {
                    run.Append(next);
                    DropIfQuantified(pattern, i, run);
                }
                else
                {
                    Flush(run, ref best);
                }

                continue;
            }

            switch (c)
            {
                case '(':
                    depth++;
                    Flush(run, ref best);
                    break;
                case ')':
                    depth--;
                    break;
                case '[':
                    Flush(run, ref best);
                    while (i + 1 < pattern.Length && pattern[i] != ']')
                    {
                        i += pattern[i] == '\\' ? 2 : 1;
                    }

                    break;
                case '|' when depth == 0:
                    return null; // alternatives at the top: no single required literal
                case '.' or '^' or '$' or '*' or '+' or '?' or '{' or '}' or '|':
                    Flush(run, ref best);
                    break;
                default:
                    if (depth == 0)
                    {
                        run.Append(c);
                        DropIfQuantified(pattern, i, run);
                    }

                    break;
            }
        }

        Flush(run, ref best);
        return best.Length >= MinLiteral ? best : null;
    }

    private static void DropIfQuantified(string pattern, int i, System.Text.StringBuilder run)
    {
        // "ab?" requires only "a": a quantifier that allows zero takes the character it follows out of the run.
        if (i + 1 < pattern.Length && pattern[i + 1] is '?' or '*' or '{')
        {
            run.Length--;
        }
    }

    private static void Flush(System.Text.StringBuilder run, ref string best)
    {
        if (run.Length > best.Length)
        {
            best = run.ToString();
        }

        run.Clear();
    }
}
