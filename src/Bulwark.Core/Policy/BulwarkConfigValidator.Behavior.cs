using Bulwark.Core.Behavior;

namespace Bulwark.Core.Policy;

/// <summary>Checks of <c>Bulwark:Behavior</c> and <c>Policies.NAME.Behavior</c>.</summary>
public static partial class BulwarkConfigValidator
{
    private static void CheckBehavior(List<ConfigError> errors, string path, BehaviorOptions behavior)
    {
        Range(errors, path, "MaxActors", behavior.MaxActors, 1, 100_000_000, "about 220 bytes each; 100000 suits one gateway");
        Range(errors, path, "MaxGroups", behavior.MaxGroups, 1, 100_000_000, "about 130 bytes each; 100000 suits one gateway");
        Range(errors, path, "ActorTtlSeconds", behavior.ActorTtlSeconds, 1, 604_800, "1800 (half an hour) is the default");

        var velocity = ConfigPath.Property(path, "Velocity");
        var v = behavior.Velocity;
        Range(errors, velocity, "Factor", v.Factor, 1.01, 1_000, "2 flags a route running at twice its baseline");
        Range(errors, velocity, "WindowSeconds", v.WindowSeconds, 1, 3_600, "10 is the default");
        Range(errors, velocity, "WarmupWindows", v.WarmupWindows, 1, 10_000, "6 windows (a minute at the default window) is the default");
        Range(errors, velocity, "Alpha", v.Alpha, 0.001, 1, "0.1 learns over about ten windows");
        Range(errors, velocity, "MinRatePerSecond", v.MinRatePerSecond, 0, 1_000_000, "5 is the default");
        Range(errors, velocity, "MinShare", v.MinShare, 0, 1, "0.2 is the default");
        Range(errors, velocity, "ShareFactor", v.ShareFactor, 1, 1_000, "3 is the default");
        Range(errors, velocity, "MinClusterRequests", v.MinClusterRequests, 1, 1_000_000, "20 is the default");
        Range(errors, velocity, "TrackedClusters", v.TrackedClusters, 4, 4_096, "64 is the default");

        CheckClusters(errors, ConfigPath.Property(path, "Clusters"), behavior.Clusters);

        var honeypot = ConfigPath.Property(path, "Honeypot");
        var routes = ConfigPath.Property(honeypot, "Routes");
        for (var i = 0; i < behavior.Honeypot.Routes.Count; i++)
        {
            CheckRoutePath(errors, ConfigPath.Index(routes, i), behavior.Honeypot.Routes[i]);
        }

        var notHoneypots = ConfigPath.Property(honeypot, "NotHoneypots");
        for (var i = 0; i < behavior.Honeypot.NotHoneypots.Count; i++)
        {
            CheckRoutePath(errors, ConfigPath.Index(notHoneypots, i), behavior.Honeypot.NotHoneypots[i]);
        }

        CheckScannerPathsFile(errors, ConfigPath.Property(honeypot, "ScannerPathsFile"), behavior.Honeypot.ScannerPathsFile);
        Range(errors, honeypot, "BanSeconds", behavior.Honeypot.BanSeconds, 1, 31_536_000, "3600 (an hour) is the default");
        Range(errors, honeypot, "ClusterBanSeconds", behavior.Honeypot.ClusterBanSeconds, 0, 31_536_000, "600 is the default; 0 bans no cluster");

        var offenders = ConfigPath.Property(path, "Offenders");
        var o = behavior.Offenders;
        Range(errors, offenders, "BlocksBeforeBan", o.BlocksBeforeBan, 0, 1_000_000, "5 is the default; 0 turns score-block bans off");
        Range(errors, offenders, "WindowSeconds", o.WindowSeconds, 1, 604_800, "600 is the default");
        Range(errors, offenders, "BanSeconds", o.BanSeconds, 1, 31_536_000, "300 is the default");
        Range(errors, offenders, "MaxBanSeconds", o.MaxBanSeconds, 1, 31_536_000, "86400 (a day) is the default");
        Range(errors, offenders, "MemorySeconds", o.MemorySeconds, 1, 31_536_000, "86400 (a day) is the default");
        if (o.MaxBanSeconds < o.BanSeconds)
        {
            errors.Add(new ConfigError(ConfigPath.Property(offenders, "MaxBanSeconds"),
                $"MaxBanSeconds {o.MaxBanSeconds} is below BanSeconds {o.BanSeconds}",
                "Make MaxBanSeconds at least BanSeconds: bans grow from BanSeconds up to MaxBanSeconds."));
        }
    }

    private static void CheckScannerPathsFile(List<ConfigError> errors, string path, string file)
    {
        if (string.IsNullOrWhiteSpace(file))
        {
            return;
        }

        if (!File.Exists(file))
        {
            errors.Add(new ConfigError(path, $"scanner path list \"{file}\" does not exist",
                "Name a JSON file in the format of src/Bulwark.Core/Behavior/scanner-paths.json (relative paths start at the working directory), or \"\" for the built-in list."));
            return;
        }

        try
        {
            using var stream = File.OpenRead(file);
            if (!ScannerPathList.TryRead(stream, out _, out var problem))
            {
                errors.Add(new ConfigError(path, $"scanner path list \"{file}\" is invalid: {problem}",
                    "Follow the format of src/Bulwark.Core/Behavior/scanner-paths.json: {\"version\": 1, \"segments\": [{\"name\": \".env\"}], \"paths\": [{\"pattern\": \"/wp-admin/**\"}]}."));
            }
        }
        catch (IOException exception)
        {
            errors.Add(new ConfigError(path, $"scanner path list \"{file}\" cannot be read: {exception.Message}", "Check the file's permissions."));
        }
        catch (UnauthorizedAccessException exception)
        {
            errors.Add(new ConfigError(path, $"scanner path list \"{file}\" cannot be read: {exception.Message}", "Check the file's permissions."));
        }
    }

    private static void CheckPolicyBehavior(List<ConfigError> errors, string path, PolicyBehaviorOptions behavior)
    {
        var sequences = ConfigPath.Property(path, "Sequences");
        for (var i = 0; i < behavior.Sequences.Count; i++)
        {
            var step = behavior.Sequences[i];
            var stepPath = ConfigPath.Index(sequences, i);
            CheckRoutePath(errors, ConfigPath.Property(stepPath, "Route"), step.Route);
            if (step.After.Count == 0 || step.After.Any(string.IsNullOrWhiteSpace))
            {
                errors.Add(new ConfigError(ConfigPath.Property(stepPath, "After"),
                    "a sequence step needs at least one prerequisite route, none empty",
                    "List the paths or route patterns that must come first: \"After\": [ \"/api/auth/login\" ]."));
            }
            else if (step.After.Any(a => a[0] != '/'))
            {
                errors.Add(new ConfigError(ConfigPath.Property(stepPath, "After"),
                    $"prerequisite \"{step.After.First(a => a[0] != '/')}\" does not start with '/'",
                    "Write each prerequisite as a concrete path (\"/api/auth/login\") or a route pattern from Routes (\"/api/products/{id}\")."));
            }

            Range(errors, stepPath, "MinDwellMs", step.MinDwellMs, 0, 3_600_000, "1000 is the default; 0 checks no dwell time");
            Range(errors, stepPath, "WithinSeconds", step.WithinSeconds, 1, 604_800, "1800 is the default");
        }

        var timing = ConfigPath.Property(path, "Timing");
        var t = behavior.Timing;
        Range(errors, timing, "MinIntervals", t.MinIntervals, 2, ActorState.Size - 1, "6 is the default; the history holds 8 requests, so 7 at most");
        Range(errors, timing, "MaxCv", t.MaxCv, 0, 10, "0.1 is the default");
        Range(errors, timing, "MaxMeanSeconds", t.MaxMeanSeconds, 1, 86_400, "120 is the default");
        Range(errors, timing, "BurstRequests", t.BurstRequests, 2, ActorState.Size, "8 is the default and the most the history holds");
        Range(errors, timing, "BurstMs", t.BurstMs, 1, 3_600_000, "1000 is the default");

        var enumeration = ConfigPath.Property(path, "Enumeration");
        var e = behavior.Enumeration;
        Range(errors, enumeration, "SequentialRun", e.SequentialRun, 2, 1_000_000, "10 is the default");
        Range(errors, enumeration, "MaxStep", e.MaxStep, 1, 1_000_000, "3 is the default");
        Range(errors, enumeration, "NotFoundRatio", e.NotFoundRatio, 0.01, 1, "0.5 is the default");
        Range(errors, enumeration, "MinObserved", e.MinObserved, 1, 60_000, "10 is the default");
        Range(errors, enumeration, "DistinctResources", e.DistinctResources, 0, 500, "150 is the default; 0 turns it off (counts are estimates, good to about 300)");
        Range(errors, enumeration, "DistinctWindowSeconds", e.DistinctWindowSeconds, 1, 86_400, "600 is the default");
        Range(errors, enumeration, "NearLimitRun", e.NearLimitRun, 0, 255, "20 is the default; 0 turns it off");

        var stuffing = ConfigPath.Property(path, "Stuffing");
        var s = behavior.Stuffing;
        if (s.Enabled && string.IsNullOrWhiteSpace(s.PasswordField))
        {
            errors.Add(new ConfigError(ConfigPath.Property(stuffing, "PasswordField"), "PasswordField is empty",
                "Name the JSON body field that holds the password, like \"password\"."));
        }

        Range(errors, stuffing, "WindowSeconds", s.WindowSeconds, 1, 604_800, "3600 is the default");
        Range(errors, stuffing, "AccountsPerIp", s.AccountsPerIp, 2, 1_000, "5 is the default (counts are estimates, good to about 200)");
        Range(errors, stuffing, "AccountsPerSubnet", s.AccountsPerSubnet, 2, 1_000, "20 is the default");
        Range(errors, stuffing, "AccountsPerAsn", s.AccountsPerAsn, 2, 1_000, "100 is the default");
        Range(errors, stuffing, "AccountsPerCluster", s.AccountsPerCluster, 2, 1_000, "50 is the default");
        Range(errors, stuffing, "AccountsPerPassword", s.AccountsPerPassword, 2, 1_000, "5 is the default");
        Range(errors, stuffing, "FailureRatio", s.FailureRatio, 0.01, 1, "0.5 is the default");
        Range(errors, stuffing, "MinAttempts", s.MinAttempts, 1, 1_000_000, "10 is the default");
        var statuses = ConfigPath.Property(stuffing, "FailureStatuses");
        for (var i = 0; i < s.FailureStatuses.Count; i++)
        {
            Range(errors, statuses, i, s.FailureStatuses[i], 100, 599, "an HTTP status such as 401");
        }

        var keys = ConfigPath.Property(path, "ApiKeys");
        var k = behavior.ApiKeys;
        Range(errors, keys, "WindowSeconds", k.WindowSeconds, 60, 604_800, "3600 is the default");
        Range(errors, keys, "RateFactor", k.RateFactor, 1.01, 1_000, "3 is the default");
        Range(errors, keys, "MinRequests", k.MinRequests, 1, 1_000_000, "20 is the default");
        Range(errors, keys, "NewIps", k.NewIps, 1, 255, "10 is the default (known addresses are kept in 256 bits per key)");
        Range(errors, keys, "ErrorRatio", k.ErrorRatio, 0.01, 1, "0.5 is the default");
        Range(errors, keys, "NewCountries", k.NewCountries, 1, 63, "3 is the default");
        Range(errors, keys, "SourceWarmupSeconds", k.SourceWarmupSeconds, 60, 2_592_000, "600 is the default: every source of a key's first 10 minutes is learned");
        Range(errors, keys, "SourceActiveSeconds", k.SourceActiveSeconds, 1, 604_800, "900 is the default: a new source counts while a known one was active in the last 15 minutes");
    }

    private static void Range(List<ConfigError> errors, string path, string key, double value, double min, double max, string hint)
    {
        if (!(value >= min && value <= max))
        {
            errors.Add(new ConfigError(ConfigPath.Property(path, key), $"{key} {value} is out of range", $"Use a value from {min} to {max}; {hint}."));
        }
    }

    private static void Range(List<ConfigError> errors, string path, int index, double value, double min, double max, string hint)
    {
        if (!(value >= min && value <= max))
        {
            errors.Add(new ConfigError(ConfigPath.Index(path, index), $"{value} is out of range", $"Use a value from {min} to {max}; {hint}."));
        }
    }
}
