using Microsoft.Extensions.Configuration;

namespace Bulwark.Core.Policy;

public static partial class BulwarkConfigReader
{
    private static readonly string[] FingerprintKeys = ["Ja3Headers", "Ja4Headers", "Deny", "Catalogue", "CrawlerList"];

    private sealed partial class Walker
    {
        private FingerprintOptions ReadFingerprints(IConfigurationSection section, string path)
        {
            var o = new FingerprintOptions();
            foreach (var (key, child, p) in Fields(section, path, FingerprintKeys, "the fingerprint settings"))
            {
                o = key switch
                {
                    "Ja3Headers" => o with { Ja3Headers = StringList(child, p) ?? o.Ja3Headers },
                    "Ja4Headers" => o with { Ja4Headers = StringList(child, p) ?? o.Ja4Headers },
                    "Deny" => o with { Deny = StringList(child, p) ?? o.Deny },
                    "Catalogue" => o with { Catalogue = NullIfEmpty(String(child, p)) },
                    "CrawlerList" => o with { CrawlerList = NullIfEmpty(String(child, p)) },
                    _ => o,
                };
            }

            return o;
        }
    }
}
