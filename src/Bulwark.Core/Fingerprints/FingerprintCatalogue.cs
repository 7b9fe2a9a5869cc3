using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace Bulwark.Core.Fingerprints;

/// <summary>
/// The versioned map from TLS fingerprints to client families (src/Bulwark.Core/Fingerprints/catalogue.json, built into Bulwark.Core).
/// Its entries come from real handshakes captured by the integration tests (see docs/fingerprints.md for how to
/// regenerate it). Lookups go by JA4 first, then by JA3.
/// </summary>
public sealed class FingerprintCatalogue
{
    private const string ResourceName = "Bulwark.Core.Fingerprints.catalogue.json";
    private const int StackKeyMaxLength = 64;
    private static readonly Lazy<FingerprintCatalogue> BuiltInInstance = new(LoadBuiltIn);
    private readonly Dictionary<string, CatalogueEntry> _byJa4;
    private readonly Dictionary<string, CatalogueEntry> _byJa3;
    private readonly Dictionary<string, CatalogueEntry> _byStack;
    private readonly Dictionary<string, CatalogueEntry>.AlternateLookup<ReadOnlySpan<char>> _byStackSpan;

    private FingerprintCatalogue(int version, IReadOnlyList<CatalogueEntry> entries)
    {
        Version = version;
        Entries = entries;
        _byJa4 = new Dictionary<string, CatalogueEntry>(StringComparer.Ordinal);
        _byJa3 = new Dictionary<string, CatalogueEntry>(StringComparer.Ordinal);
        _byStack = new Dictionary<string, CatalogueEntry>(StringComparer.Ordinal);
        _byStackSpan = _byStack.GetAlternateLookup<ReadOnlySpan<char>>();
        Span<char> key = stackalloc char[StackKeyMaxLength];
        foreach (var entry in entries)
        {
            _byJa4.TryAdd(entry.Ja4, entry);
            if (StackKey(entry.Ja4, key) is { Length: > 0 } written)
            {
                _byStack.TryAdd(written.ToString(), entry);
            }

            if (entry.Ja3 is { } ja3)
            {
                _byJa3.TryAdd(ja3, entry);
            }
        }
    }

    /// <summary>The catalogue built into this version of Bulwark.</summary>
    public static FingerprintCatalogue BuiltIn => BuiltInInstance.Value;

    /// <summary>The file format version (<c>"version"</c>).</summary>
    public int Version { get; }

    /// <summary>Every entry, in file order.</summary>
    public IReadOnlyList<CatalogueEntry> Entries { get; }

    /// <summary>Reads a catalogue file; a malformed file is an error naming what is wrong.</summary>
    public static bool TryLoad(string path, [NotNullWhen(true)] out FingerprintCatalogue? catalogue, [NotNullWhen(false)] out string? error)
    {
        try
        {
            using var stream = File.OpenRead(path);
            return TryRead(stream, out catalogue, out error);
        }
        catch (IOException exception)
        {
            catalogue = null;
            error = $"{path}: {exception.Message}";
            return false;
        }
    }

    /// <summary>Reads a catalogue from JSON.</summary>
    public static bool TryRead(Stream json, [NotNullWhen(true)] out FingerprintCatalogue? catalogue, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(json);
        catalogue = null;
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (!root.TryGetProperty("version", out var version) || version.ValueKind != JsonValueKind.Number)
            {
                error = "catalogue: \"version\" (a number) is missing";
                return false;
            }

            var entries = new List<CatalogueEntry>();
            var index = 0;
            foreach (var item in root.GetProperty("entries").EnumerateArray())
            {
                var ja4 = item.TryGetProperty("ja4", out var a) ? a.GetString() : null;
                var family = item.TryGetProperty("family", out var f) ? f.GetString() : null;
                var kind = item.TryGetProperty("kind", out var k) ? k.GetString() : null;
                if (ja4 is null || family is null || kind is not ("browser" or "library" or "tool" or "automation"))
                {
                    error = $"catalogue: entries[{index}] needs \"ja4\", \"family\" and \"kind\" (browser, library, tool or automation)";
                    return false;
                }

                var ja3 = item.TryGetProperty("ja3", out var j) && j.ValueKind == JsonValueKind.String ? j.GetString() : null;
                var client = item.TryGetProperty("client", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
                var captured = item.TryGetProperty("captured", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
                entries.Add(new CatalogueEntry(ja4, ja3, family, kind, client, captured));
                index++;
            }

            catalogue = new FingerprintCatalogue(version.GetInt32(), entries);
            error = null;
            return true;
        }
        catch (Exception exception) when (exception is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            error = "catalogue: " + exception.Message;
            return false;
        }
    }

    /// <summary>
    /// The entry for <paramref name="ja4"/>, else for the same client stack with or without a server name and whatever
    /// its ALPN offer (the same protocol, TLS version, cipher hash and extension hash), else for <paramref name="ja3"/>,
    /// else null.
    /// </summary>
    public CatalogueEntry? Lookup(string? ja4, string? ja3)
    {
        if (ja4 is not null)
        {
            if (_byJa4.TryGetValue(ja4, out var exact))
            {
                return exact;
            }

            Span<char> key = stackalloc char[StackKeyMaxLength];
            if (StackKey(ja4, key) is { Length: > 0 } written && _byStackSpan.TryGetValue(written, out var stack))
            {
                return stack;
            }
        }

        return ja3 is not null && _byJa3.TryGetValue(ja3, out var byJa3) ? byJa3 : null;
    }

    // What one client stack keeps whatever the program asks of it per connection: JA4's protocol and TLS version, cipher
    // hash and extension hash. A client connecting to an address literal sends no server_name ('i' instead of 'd', one
    // extension fewer); one told to speak HTTP/1.1 only, or given no ALPN, changes the ALPN characters (and the count
    // when the extension goes). JA4's extension hash leaves SNI and ALPN out, so both hashes stay the same: the key drops
    // the SNI flag, the counts and the ALPN characters. Written into destination; empty when ja4 has not JA4's shape.
    internal static ReadOnlySpan<char> StackKey(string ja4, Span<char> destination)
    {
        if (ja4.Length < 11 || ja4.Length - 7 > destination.Length || ja4[10] != '_' || ja4[3] is not ('d' or 'i'))
        {
            return default;
        }

        ja4.AsSpan(0, 3).CopyTo(destination);
        ja4.AsSpan(10).CopyTo(destination[3..]);
        return destination[..(ja4.Length - 7)];
    }

    private static FingerprintCatalogue LoadBuiltIn()
    {
        using var stream = typeof(FingerprintCatalogue).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"resource {ResourceName} is missing from Bulwark.Core");
        return TryRead(stream, out var catalogue, out var error) ? catalogue : throw new InvalidOperationException(error);
    }
}
