using Bulwark.Core.Behavior;
using Microsoft.Extensions.Configuration;

namespace Bulwark.Core.Policy;

/// <summary>Reading of <c>Bulwark:Behavior:Clusters</c> (docs/behavior.md, "Cluster activity without a baseline").</summary>
public static partial class BulwarkConfigReader
{
    private static readonly string[] ClusterActivityKeys =
    [
        "Enabled", "WindowSeconds", "TrackedClusters", "MinRequests", "MinRatePerSecond", "MaxRequestsPerAddress", "MinStatelessShare",
        "CeilingPerSecond", "CeilingWindowSeconds", "MinEvidenceShare", "HoldSeconds", "EvidenceSignals", "TlsEvidenceSignals",
    ];

    private sealed partial class Walker
    {
        private ClusterActivityOptions ReadClusters(IConfigurationSection section, string path)
        {
            var o = new ClusterActivityOptions();
            foreach (var (key, child, p) in Fields(section, path, ClusterActivityKeys, "the cluster activity settings"))
            {
                o = key switch
                {
                    "Enabled" => o with { Enabled = Bool(child, p) ?? o.Enabled },
                    "WindowSeconds" => o with { WindowSeconds = Int(child, p) ?? o.WindowSeconds },
                    "TrackedClusters" => o with { TrackedClusters = Int(child, p) ?? o.TrackedClusters },
                    "MinRequests" => o with { MinRequests = Int(child, p) ?? o.MinRequests },
                    "MinRatePerSecond" => o with { MinRatePerSecond = Double(child, p) ?? o.MinRatePerSecond },
                    "MaxRequestsPerAddress" => o with { MaxRequestsPerAddress = Double(child, p) ?? o.MaxRequestsPerAddress },
                    "MinStatelessShare" => o with { MinStatelessShare = Double(child, p) ?? o.MinStatelessShare },
                    "CeilingPerSecond" => o with { CeilingPerSecond = Double(child, p) ?? o.CeilingPerSecond },
                    "CeilingWindowSeconds" => o with { CeilingWindowSeconds = Int(child, p) ?? o.CeilingWindowSeconds },
                    "MinEvidenceShare" => o with { MinEvidenceShare = Double(child, p) ?? o.MinEvidenceShare },
                    "HoldSeconds" => o with { HoldSeconds = Int(child, p) ?? o.HoldSeconds },
                    "EvidenceSignals" => o with { EvidenceSignals = StringList(child, p) ?? o.EvidenceSignals },
                    "TlsEvidenceSignals" => o with { TlsEvidenceSignals = StringList(child, p) ?? o.TlsEvidenceSignals },
                    _ => o,
                };
            }

            return o;
        }
    }
}
