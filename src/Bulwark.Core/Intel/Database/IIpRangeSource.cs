namespace Bulwark.Core.Intel.Database;

/// <summary>
/// A build source that yields ranges with partial facts: the seam through which any format reaches
/// <see cref="IpIntelDatabaseBuilder"/>. The CIDR list and range CSV readers implement it; so will the MaxMind DB adapter.
/// </summary>
/// <remarks>
/// TODO(lead, after merging wt-mmdb): add <c>MaxMindRangeSource : IIpRangeSource</c> over
/// <c>Bulwark.Core.Intel.MaxMind.MaxMindDbReader</c>'s network enumeration: for each network yield its first/last address
/// and an <see cref="IpInfo"/> from the typed city/ASN/anonymous-IP record (country ISO code, latitude, longitude,
/// accuracy radius, ASN and organisation; anonymous-IP flags to <see cref="NetworkKind.Vpn"/>, <see cref="NetworkKind.Tor"/>,
/// <see cref="NetworkKind.Hosting"/>, <see cref="NetworkKind.Proxy"/>), then register it in
/// <see cref="IpIntelDatabaseBuilder.AddSource"/> for <c>mmdb:PATH</c> in <c>IpdbCommand</c> (which refuses it today).
/// </remarks>
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
