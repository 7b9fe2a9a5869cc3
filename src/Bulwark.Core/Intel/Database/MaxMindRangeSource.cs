using Bulwark.Core.Intel.MaxMind;

namespace Bulwark.Core.Intel.Database;

/// <summary>
/// A MaxMind DB file (GeoLite2/GeoIP2 City, Country or ASN, Anonymous IP, or the flat layout of the @ip-location-db
/// packages) as a build source: every network of its search tree, aliases skipped, with the facts of its typed record —
/// country, location and accuracy, ASN and organisation, and the anonymous-IP flags as network kinds (VPN, Tor, hosting,
/// proxy; a residential proxy counts as a proxy).
/// </summary>
internal sealed class MaxMindRangeSource(string path, string name) : IIpRangeSource
{
    public string Name => name;

    public string? FilePath => path;

    public IEnumerable<IpIntelRange> ReadRanges(IpIntelBuildReport report)
    {
        MaxMindDbReader reader;
        try
        {
            reader = MaxMindDbReader.Open(path);
        }
        catch (Exception exception) when (exception is MaxMindDbException or IOException or UnauthorizedAccessException)
        {
            throw new IpIntelDatabaseException(path, exception.Message);
        }

        return Read(reader);
    }

    private static IEnumerable<IpIntelRange> Read(MaxMindDbReader reader)
    {
        using (reader)
        {
            // Many networks share a record: decode each record once.
            var facts = new Dictionary<int, IpInfo>();
            foreach (var network in reader.EnumerateNetworks(skipAliases: true))
            {
                if (!facts.TryGetValue(network.DataOffset, out var info))
                {
                    info = ToInfo(reader.ReadRecord(network.DataOffset));
                    facts[network.DataOffset] = info;
                }

                if (info.IsKnown)
                {
                    yield return new IpIntelRange(network.Address, network.LastAddress, !network.IsIPv4, info, 0);
                }
            }
        }
    }

    internal static IpInfo ToInfo(in MaxMindRecord record)
    {
        var kinds = NetworkKind.None;
        var flags = record.Anonymous;
        if ((flags & MaxMindAnonymousFlags.AnonymousVpn) != 0)
        {
            kinds |= NetworkKind.Vpn;
        }

        if ((flags & MaxMindAnonymousFlags.TorExitNode) != 0)
        {
            kinds |= NetworkKind.Tor;
        }

        if ((flags & MaxMindAnonymousFlags.HostingProvider) != 0)
        {
            kinds |= NetworkKind.Hosting;
        }

        if ((flags & (MaxMindAnonymousFlags.PublicProxy | MaxMindAnonymousFlags.ResidentialProxy)) != 0)
        {
            kinds |= NetworkKind.Proxy;
        }

        return new IpInfo
        {
            Asn = record.AutonomousSystemNumber,
            Organisation = record.AutonomousSystemOrganization,
            Country = record.CountryIsoCode?.ToUpperInvariant(),
            HasLocation = record.HasLocation,
            Latitude = record.Latitude,
            Longitude = record.Longitude,
            AccuracyRadiusKm = record.AccuracyRadiusKm,
            Kinds = kinds,
        };
    }
}
