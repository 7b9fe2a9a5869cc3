using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Bulwark.Core.Policy;

namespace Bulwark.Core.Behavior;

/// <summary>
/// Paths vulnerability scanners probe on any address (<c>/.env</c>, <c>/.git/config</c>, <c>/wp-login.php</c> …), used as
/// honeypots when <see cref="HoneypotOptions.ScannerPaths"/> is on. Two kinds of entry: a <b>segment</b> name that marks
/// a path wherever it appears (<c>.env</c> matches <c>/.env</c> and <c>/api/v1/.env</c>), and a route <b>pattern</b>
/// (<c>/wp-admin/**</c>). Matching is case-insensitive, walks the path once and does not allocate. The built-in list is
/// the versioned file <c>Behavior/scanner-paths.json</c>, embedded in the assembly; a file of the same shape replaces it.
/// </summary>
public sealed class ScannerPathList
{
    private const string ResourceName = "Bulwark.Core.Behavior.scanner-paths.json";
    private static readonly Lazy<ScannerPathList> LazyBuiltIn = new(LoadBuiltIn);

    private readonly FrozenSet<string> _segmentSet;
    private readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> _segments;
    private readonly RoutePattern[] _patterns;
    private readonly FrozenDictionary<string, RoutePattern[]>.AlternateLookup<ReadOnlySpan<char>> _byFirstSegment;
    private readonly RoutePattern[] _exclude;

    private ScannerPathList(int version, FrozenSet<string> segments, RoutePattern[] patterns, RoutePattern[] exclude)
    {
        Version = version;
        _segmentSet = segments;
        _segments = segments.GetAlternateLookup<ReadOnlySpan<char>>();
        _patterns = patterns;

        // Patterns by their first (literal) segment: a request is checked against the few that can match it.
        _byFirstSegment = patterns
            .GroupBy(p => FirstSegment(p.Text).ToString(), StringComparer.OrdinalIgnoreCase)
            .ToFrozenDictionary(g => g.Key, g => g.ToArray(), StringComparer.OrdinalIgnoreCase)
            .GetAlternateLookup<ReadOnlySpan<char>>();
        _exclude = exclude;
    }

    /// <summary>The built-in list (Behavior/scanner-paths.json).</summary>
    public static ScannerPathList BuiltIn => LazyBuiltIn.Value;

    /// <summary>The list's version (the file's <c>version</c>).</summary>
    public int Version { get; }

    /// <summary>Segment names that mark a path wherever they appear.</summary>
    public IReadOnlySet<string> Segments => _segmentSet;

    /// <summary>The route patterns, as written.</summary>
    public IEnumerable<string> Patterns => _patterns.Select(p => p.Text);

    /// <summary>
    /// The list <paramref name="options"/> asks for: null when <see cref="HoneypotOptions.ScannerPaths"/> is off, else the
    /// built-in list or <see cref="HoneypotOptions.ScannerPathsFile"/>, less <see cref="HoneypotOptions.NotHoneypots"/>.
    /// Throws <see cref="InvalidDataException"/> for a file validation would have refused.
    /// </summary>
    public static ScannerPathList? For(HoneypotOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.ScannerPaths)
        {
            return null;
        }

        var list = BuiltIn;
        if (!string.IsNullOrWhiteSpace(options.ScannerPathsFile))
        {
            using var stream = File.OpenRead(options.ScannerPathsFile);
            list = TryRead(stream, out var read, out var error) ? read : throw new InvalidDataException($"{options.ScannerPathsFile}: {error}");
        }

        return options.NotHoneypots.Count == 0
            ? list
            : new ScannerPathList(list.Version, list._segmentSet, list._patterns, [.. options.NotHoneypots.Select(RoutePattern.Parse)]);
    }

    /// <summary>Reads a list in the file format (<c>version</c>, <c>segments[].name</c>, <c>paths[].pattern</c>), or says what is wrong.</summary>
    public static bool TryRead(Stream stream, [NotNullWhen(true)] out ScannerPathList? list, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(stream);
        list = null;
        try
        {
            using var document = JsonDocument.Parse(stream);
            var root = document.RootElement;
            if (!root.TryGetProperty("version", out var version) || version.ValueKind != JsonValueKind.Number)
            {
                error = "\"version\" (a number) is missing";
                return false;
            }

            var segments = new List<string>();
            if (root.TryGetProperty("segments", out var segmentArray))
            {
                foreach (var entry in segmentArray.EnumerateArray())
                {
                    var name = entry.GetProperty("name").GetString();
                    if (string.IsNullOrWhiteSpace(name) || name.Contains('/', StringComparison.Ordinal))
                    {
                        error = $"segment name \"{name}\" must be one path segment without '/', like \".env\"";
                        return false;
                    }

                    segments.Add(name);
                }
            }

            var patterns = new List<RoutePattern>();
            if (root.TryGetProperty("paths", out var pathArray))
            {
                foreach (var entry in pathArray.EnumerateArray())
                {
                    var pattern = entry.GetProperty("pattern").GetString();
                    if (string.IsNullOrWhiteSpace(pattern) || !pattern.StartsWith('/') || FirstSegment(pattern) is [] or "*" or "**" or ['{', ..])
                    {
                        error = $"path pattern \"{pattern}\" must start with '/' and a literal segment, like \"/wp-admin/**\"";
                        return false;
                    }

                    patterns.Add(RoutePattern.Parse(pattern));
                }
            }

            list = new ScannerPathList(version.GetInt32(), segments.ToFrozenSet(StringComparer.OrdinalIgnoreCase), [.. patterns], []);
            error = null;
            return true;
        }
        catch (Exception exception) when (exception is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            error = exception.Message;
            return false;
        }
    }

    /// <summary>Whether <paramref name="path"/> (no query string) is on the list and not excluded; <paramref name="entry"/> says which entry.</summary>
    public bool IsMatch(ReadOnlySpan<char> path, [NotNullWhen(true)] out string? entry)
    {
        entry = Find(path);
        if (entry is null)
        {
            return false;
        }

        foreach (var exclude in _exclude)
        {
            if (exclude.IsMatch(path))
            {
                entry = null;
                return false;
            }
        }

        return true;
    }

    private string? Find(ReadOnlySpan<char> path)
    {
        if (_segments.Set.Count > 0)
        {
            var rest = path;
            while (!rest.IsEmpty)
            {
                var slash = rest.IndexOf('/');
                var segment = slash < 0 ? rest : rest[..slash];
                rest = slash < 0 ? [] : rest[(slash + 1)..];
                if (!segment.IsEmpty && _segments.TryGetValue(segment, out var name))
                {
                    return name;
                }
            }
        }

        if (_byFirstSegment.TryGetValue(FirstSegment(path), out var patterns))
        {
            foreach (var pattern in patterns)
            {
                if (pattern.IsMatch(path))
                {
                    return pattern.Text;
                }
            }
        }

        return null;
    }

    private static ReadOnlySpan<char> FirstSegment(ReadOnlySpan<char> path)
    {
        var rest = path.TrimStart('/');
        var slash = rest.IndexOf('/');
        return slash < 0 ? rest : rest[..slash];
    }

    private static ScannerPathList LoadBuiltIn()
    {
        using var stream = typeof(ScannerPathList).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"resource {ResourceName} is missing from Bulwark.Core");
        return TryRead(stream, out var list, out var error) ? list : throw new InvalidOperationException("scanner-paths.json: " + error);
    }
}
