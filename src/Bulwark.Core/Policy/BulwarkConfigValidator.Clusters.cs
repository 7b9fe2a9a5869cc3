using Bulwark.Core.Behavior;

namespace Bulwark.Core.Policy;

/// <summary>Checks of <c>Bulwark:Behavior:Clusters</c>.</summary>
public static partial class BulwarkConfigValidator
{
    private static void CheckClusters(List<ConfigError> errors, string path, ClusterActivityOptions c)
    {
        Range(errors, path, "WindowSeconds", c.WindowSeconds, 1, 3_600, "60 is the default");
        Range(errors, path, "TrackedClusters", c.TrackedClusters, 4, 4_096, "64 is the default (about 344 bytes each)");
        Range(errors, path, "MinRequests", c.MinRequests, 1, 100_000_000, "100 is the default");
        Range(errors, path, "MinRatePerSecond", c.MinRatePerSecond, 0, 1_000_000, "1 is the default");
        Range(errors, path, "MaxRequestsPerAddress", c.MaxRequestsPerAddress, 1, 1_000, "2 is the default: addresses that send one request or two");
        Range(errors, path, "MinStatelessShare", c.MinStatelessShare, 0, 1, "0.9 is the default");
        Range(errors, path, "CeilingPerSecond", c.CeilingPerSecond, 0, 1_000_000, "20 is the default; 0 turns cluster_ceiling off");
        Range(errors, path, "CeilingWindowSeconds", c.CeilingWindowSeconds, 1, 3_600, "10 is the default");
        Range(errors, path, "MinEvidenceShare", c.MinEvidenceShare, 0, 1, "0.5 is the default");
        Range(errors, path, "HoldSeconds", c.HoldSeconds, 0, 86_400, "600 is the default; 0 holds nothing");
        CheckSignalNames(errors, ConfigPath.Property(path, "EvidenceSignals"), c.EvidenceSignals);
        CheckSignalNames(errors, ConfigPath.Property(path, "TlsEvidenceSignals"), c.TlsEvidenceSignals);
    }

    private static void CheckSignalNames(List<ConfigError> errors, string path, IReadOnlyList<string> names)
    {
        for (var i = 0; i < names.Count; i++)
        {
            var name = names[i];
            if (string.IsNullOrWhiteSpace(name) || !name.All(ch => char.IsAsciiLetterLower(ch) || char.IsAsciiDigit(ch) || ch == '_'))
            {
                errors.Add(new ConfigError(ConfigPath.Index(path, i), $"'{name}' is not a signal name",
                    "Signal names are lower-case letters, digits and underscores, as in decision reasons (for example \"ua_tls_mismatch\")."));
            }
        }
    }
}
