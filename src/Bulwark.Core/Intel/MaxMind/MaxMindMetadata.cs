namespace Bulwark.Core.Intel.MaxMind;

/// <summary>The metadata map at the end of a MaxMind DB file, validated by <see cref="MaxMindDbReader"/>.</summary>
public sealed record MaxMindMetadata
{
    /// <summary><c>node_count</c>: the number of nodes in the search tree.</summary>
    public required uint NodeCount { get; init; }

    /// <summary><c>record_size</c>: bits per record, 24, 28 or 32.</summary>
    public required int RecordSize { get; init; }

    /// <summary><c>ip_version</c>: 4 or 6.</summary>
    public required int IpVersion { get; init; }

    /// <summary><c>database_type</c>, e.g. <c>GeoLite2-City</c>.</summary>
    public required string DatabaseType { get; init; }

    /// <summary><c>languages</c>: the locales names may be given in; empty when absent.</summary>
    public IReadOnlyList<string> Languages { get; init; } = [];

    /// <summary><c>binary_format_major_version</c>: 2 for every file this reader accepts.</summary>
    public required int BinaryFormatMajorVersion { get; init; }

    /// <summary><c>binary_format_minor_version</c>.</summary>
    public required int BinaryFormatMinorVersion { get; init; }

    /// <summary><c>build_epoch</c>: seconds since the Unix epoch when the file was built.</summary>
    public required ulong BuildEpoch { get; init; }

    /// <summary><c>description</c>: language code to text; empty when absent.</summary>
    public IReadOnlyDictionary<string, string> Description { get; init; } = new Dictionary<string, string>();

    /// <summary>The size of the search tree in bytes: <c>node_count × record_size × 2 / 8</c>.</summary>
    public long SearchTreeSize => (long)NodeCount * RecordSize / 4;

    /// <summary><see cref="BuildEpoch"/> as a timestamp.</summary>
    public DateTimeOffset BuildTime => DateTimeOffset.FromUnixTimeSeconds((long)Math.Min(BuildEpoch, 253402300799UL));
}
