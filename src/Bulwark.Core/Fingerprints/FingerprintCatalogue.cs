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
    private static readonly Lazy<FingerprintCatalogue> BuiltInInstance = new(LoadBuiltIn);
    private readonly Dictionary<string, CatalogueEntry> _byJa4;
    private readonly Dictionary<string, CatalogueEntry> _byJa3;
    private readonly Dictionary<string, CatalogueEntry> _byJa4WithoutSni;

    private FingerprintCatalogue(int version, IReadOnlyList<CatalogueEntry> entries)
    {
        Version = version;
        Entries = entries;
        _byJa4 = new Dictionary<string, CatalogueEntry>(StringComparer.Ordinal);
        _byJa3 = new Dictionary<string, CatalogueEntry>(StringComparer.Ordinal);
        _byJa4WithoutSni = new Dictionary<string, CatalogueEntry>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            _byJa4.TryAdd(entry.Ja4, entry);
            if (WithoutSni(entry.Ja4) is { } key)
            {
                _byJa4WithoutSni.TryAdd(key, entry);
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
    /// The entry for <paramref name="ja4"/>, else for the same JA4 with or without a server name, else for
    /// <paramref name="ja3"/>, else null.
    /// </summary>
    public CatalogueEntry? Lookup(string? ja4, string? ja3)
    {
        if (ja4 is not null && (_byJa4.TryGetValue(ja4, out var entry) || (WithoutSni(ja4) is { } key && _byJa4WithoutSni.TryGetValue(key, out entry))))
        {
            return entry;
        }

        return ja3 is not null && _byJa3.TryGetValue(ja3, out entry) ? entry : null;
    }

    // A client connecting to an address literal sends no server_name: JA4 then says 'i' instead of 'd' and counts one
    // extension fewer, while both hashes stay the same (JA4's extension hash leaves SNI and ALPN out). Dropping the SNI
    // flag and the extension count gives a key that one client stack has with and without a host name.
    internal static string? WithoutSni(string ja4) =>
        ja4.Length > 10 && ja4[10] == '_' && ja4[3] is 'd' or 'i'
            ? string.Concat(ja4.AsSpan(0, 3), ja4.AsSpan(4, 2), ja4.AsSpan(8))
            : null;

    private static FingerprintCatalogue LoadBuiltIn()
    {
        using var stream = typeof(FingerprintCatalogue).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"resource {ResourceName} is missing from Bulwark.Core");
        return TryRead(stream, out var catalogue, out var error) ? catalogue : throw new InvalidOperationException(error);
    }
}
