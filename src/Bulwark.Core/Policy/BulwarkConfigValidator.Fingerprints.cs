using System.Text.RegularExpressions;

namespace Bulwark.Core.Policy;

public static partial class BulwarkConfigValidator
{
    private static void CheckFingerprints(List<ConfigError> errors, string path, FingerprintOptions fingerprints)
    {
        CheckHeaderNames(errors, ConfigPath.Property(path, "Ja3Headers"), fingerprints.Ja3Headers);
        CheckHeaderNames(errors, ConfigPath.Property(path, "Ja4Headers"), fingerprints.Ja4Headers);
        var deny = ConfigPath.Property(path, "Deny");
        for (var i = 0; i < fingerprints.Deny.Count; i++)
        {
            var value = fingerprints.Deny[i];
            if (!Ja4Shape().IsMatch(value) && !Ja3Shape().IsMatch(value))
            {
                errors.Add(new ConfigError(ConfigPath.Index(deny, i), $"'{value}' is neither a JA4 nor a JA3 fingerprint", "Write a JA4 like \"t13d1516h2_8daaf6152771_e5627efa2ab1\" or a JA3 MD5 of 32 lower-case hex digits (bulwark fingerprint prints both)."));
            }
        }

        foreach (var (key, file) in new[] { ("Catalogue", fingerprints.Catalogue), ("CrawlerList", fingerprints.CrawlerList) })
        {
            if (file is not null && !File.Exists(file))
            {
                errors.Add(new ConfigError(ConfigPath.Property(path, key), $"file '{file}' does not exist", "Give the path of an existing file (relative paths are relative to the working directory), or remove the key for the default."));
            }
        }
    }

    private static void CheckHeaderNames(List<ConfigError> errors, string path, IReadOnlyList<string> names)
    {
        for (var i = 0; i < names.Count; i++)
        {
            if (!HeaderName().IsMatch(names[i]))
            {
                errors.Add(new ConfigError(ConfigPath.Index(path, i), $"'{names[i]}' is not an HTTP header name", "Use letters, digits and '-', like \"cf-ja4\"."));
            }
        }
    }

    [GeneratedRegex("^[tqd][0-9s][0-9d][di][0-9]{4}[0-9a-z]{2}_[0-9a-f]{12}_[0-9a-f]{12}$")]
    private static partial Regex Ja4Shape();

    [GeneratedRegex("^[0-9a-f]{32}$")]
    private static partial Regex Ja3Shape();

    [GeneratedRegex("^[A-Za-z0-9!#$%&'*+.^_`|~-]+$")]
    private static partial Regex HeaderName();
}
