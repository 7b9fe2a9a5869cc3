namespace Bulwark.Core.Intel.Database;

/// <summary>
/// A build source that yields ranges with partial facts: the seam through which any format reaches
/// <see cref="IpIntelDatabaseBuilder"/>. The CIDR list and range CSV readers implement it; so will the MaxMind DB adapter.
/// </summary>
/// <remarks>Implemented by the CIDR list, ASN list, range CSV and MaxMind DB readers.</remarks>
public interface IIpRangeSource
{
    /// <summary>The name the database and the build report give this source (usually the file name).</summary>
    string Name { get; }

    /// <summary>The file the source reads, for messages; null when it is not a file.</summary>
    string? FilePath { get; }

    /// <summary>
    /// Reads the ranges. A bad line is reported through <paramref name="report"/> and skipped; a source that cannot be read
    /// at all throws <see cref="IpIntelDatabaseException"/>.
    /// </summary>
    IEnumerable<IpIntelRange> ReadRanges(IpIntelBuildReport report);
}
