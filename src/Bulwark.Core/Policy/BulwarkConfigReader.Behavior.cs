using Bulwark.Core.Behavior;
using Microsoft.Extensions.Configuration;

namespace Bulwark.Core.Policy;

/// <summary>Reading of <c>Bulwark:Behavior</c> and <c>Policies.NAME.Behavior</c> (docs/behavior.md).</summary>
public static partial class BulwarkConfigReader
{
    private static readonly string[] BehaviorKeys = ["Enabled", "MaxActors", "MaxGroups", "ActorTtlSeconds", "Velocity", "Clusters", "Honeypot", "Offenders"];
    private static readonly string[] VelocityKeys =
        ["Factor", "WindowSeconds", "WarmupWindows", "Alpha", "MinRatePerSecond", "MinShare", "ShareFactor", "MinClusterRequests", "TrackedClusters"];
    private static readonly string[] HoneypotKeys = ["Routes", "ScannerPaths", "ScannerPathsFile", "NotHoneypots", "BanSeconds", "ClusterBanSeconds"];
    private static readonly string[] OffenderKeys = ["BlocksBeforeBan", "WindowSeconds", "BanSeconds", "MaxBanSeconds", "MemorySeconds"];
    private static readonly string[] PolicyBehaviorKeys = ["Sequences", "Timing", "Enumeration", "Stuffing", "Velocity", "ApiKeys"];
    private static readonly string[] StepKeys = ["Route", "After", "MinDwellMs", "WithinSeconds"];
    private static readonly string[] TimingKeys = ["Enabled", "MinIntervals", "MaxCv", "MaxMeanSeconds", "BurstRequests", "BurstMs", "SkipApiKeys"];
    private static readonly string[] EnumerationKeys = ["Enabled", "SkipApiKeys", "SequentialRun", "MaxStep", "NotFoundRatio", "MinObserved", "DistinctResources", "DistinctWindowSeconds", "NearLimitRun"];
    private static readonly string[] StuffingKeys =
    [
        "Enabled", "PasswordField", "WindowSeconds", "AccountsPerIp", "AccountsPerSubnet", "AccountsPerAsn", "AccountsPerCluster",
        "AccountsPerPassword", "FailureRatio", "MinAttempts", "FailureStatuses",
    ];
    private static readonly string[] ApiKeyMisuseKeys =
        ["Enabled", "WindowSeconds", "RateFactor", "MinRequests", "NewIps", "ErrorRatio", "NewCountries", "NewSources", "SourceWarmupSeconds", "SourceActiveSeconds"];

    private sealed partial class Walker
    {
        private BehaviorOptions ReadBehavior(IConfigurationSection section, string path)
        {
            var o = new BehaviorOptions();
            foreach (var (key, child, p) in Fields(section, path, BehaviorKeys, "the behaviour settings"))
            {
                o = key switch
                {
                    "Enabled" => o with { Enabled = Bool(child, p) ?? o.Enabled },
                    "MaxActors" => o with { MaxActors = Int(child, p) ?? o.MaxActors },
                    "MaxGroups" => o with { MaxGroups = Int(child, p) ?? o.MaxGroups },
                    "ActorTtlSeconds" => o with { ActorTtlSeconds = Int(child, p) ?? o.ActorTtlSeconds },
                    "Velocity" => o with { Velocity = ReadVelocity(child, p) },
                    "Clusters" => o with { Clusters = ReadClusters(child, p) },
                    "Honeypot" => o with { Honeypot = ReadHoneypot(child, p) },
                    "Offenders" => o with { Offenders = ReadOffenders(child, p) },
                    _ => o,
                };
            }

            return o;
        }

        private VelocityOptions ReadVelocity(IConfigurationSection section, string path)
        {
            var o = new VelocityOptions();
            foreach (var (key, child, p) in Fields(section, path, VelocityKeys, "the velocity settings"))
            {
                o = key switch
                {
                    "Factor" => o with { Factor = Double(child, p) ?? o.Factor },
                    "WindowSeconds" => o with { WindowSeconds = Int(child, p) ?? o.WindowSeconds },
                    "WarmupWindows" => o with { WarmupWindows = Int(child, p) ?? o.WarmupWindows },
                    "Alpha" => o with { Alpha = Double(child, p) ?? o.Alpha },
                    "MinRatePerSecond" => o with { MinRatePerSecond = Double(child, p) ?? o.MinRatePerSecond },
                    "MinShare" => o with { MinShare = Double(child, p) ?? o.MinShare },
                    "ShareFactor" => o with { ShareFactor = Double(child, p) ?? o.ShareFactor },
                    "MinClusterRequests" => o with { MinClusterRequests = Int(child, p) ?? o.MinClusterRequests },
                    "TrackedClusters" => o with { TrackedClusters = Int(child, p) ?? o.TrackedClusters },
                    _ => o,
                };
            }

            return o;
        }

        private HoneypotOptions ReadHoneypot(IConfigurationSection section, string path)
        {
            var o = new HoneypotOptions();
            foreach (var (key, child, p) in Fields(section, path, HoneypotKeys, "the honeypot settings"))
            {
                o = key switch
                {
                    "Routes" => o with { Routes = StringList(child, p) ?? o.Routes },
                    "ScannerPaths" => o with { ScannerPaths = Bool(child, p) ?? o.ScannerPaths },
                    "ScannerPathsFile" => o with { ScannerPathsFile = String(child, p) ?? "" },
                    "NotHoneypots" => o with { NotHoneypots = StringList(child, p) ?? o.NotHoneypots },
                    "BanSeconds" => o with { BanSeconds = Int(child, p) ?? o.BanSeconds },
                    "ClusterBanSeconds" => o with { ClusterBanSeconds = Int(child, p) ?? o.ClusterBanSeconds },
                    _ => o,
                };
            }

            return o;
        }

        private OffenderOptions ReadOffenders(IConfigurationSection section, string path)
        {
            var o = new OffenderOptions();
            foreach (var (key, child, p) in Fields(section, path, OffenderKeys, "the repeat-offender settings"))
            {
                o = key switch
                {
                    "BlocksBeforeBan" => o with { BlocksBeforeBan = Int(child, p) ?? o.BlocksBeforeBan },
                    "WindowSeconds" => o with { WindowSeconds = Int(child, p) ?? o.WindowSeconds },
                    "BanSeconds" => o with { BanSeconds = Int(child, p) ?? o.BanSeconds },
                    "MaxBanSeconds" => o with { MaxBanSeconds = Int(child, p) ?? o.MaxBanSeconds },
                    "MemorySeconds" => o with { MemorySeconds = Int(child, p) ?? o.MemorySeconds },
                    _ => o,
                };
            }

            return o;
        }

        private PolicyBehaviorOptions ReadPolicyBehavior(IConfigurationSection section, string path)
        {
            var o = new PolicyBehaviorOptions();
            foreach (var (key, child, p) in Fields(section, path, PolicyBehaviorKeys, "a policy's behaviour settings"))
            {
                o = key switch
                {
                    "Sequences" => o with { Sequences = ObjectList(child, p, ReadStep, "sequence steps") ?? o.Sequences },
                    "Timing" => o with { Timing = ReadTiming(child, p) },
                    "Enumeration" => o with { Enumeration = ReadEnumeration(child, p) },
                    "Stuffing" => o with { Stuffing = ReadStuffing(child, p) },
                    "Velocity" => o with { Velocity = Bool(child, p) ?? o.Velocity },
                    "ApiKeys" => o with { ApiKeys = ReadApiKeyMisuse(child, p) },
                    _ => o,
                };
            }

            return o;
        }

        private SequenceStepOptions ReadStep(IConfigurationSection section, string path)
        {
            var o = new SequenceStepOptions();
            foreach (var (key, child, p) in Fields(section, path, StepKeys, "a sequence step"))
            {
                o = key switch
                {
                    "Route" => o with { Route = String(child, p) ?? o.Route },
                    "After" => o with { After = StringList(child, p) ?? o.After },
                    "MinDwellMs" => o with { MinDwellMs = Int(child, p) ?? o.MinDwellMs },
                    "WithinSeconds" => o with { WithinSeconds = Int(child, p) ?? o.WithinSeconds },
                    _ => o,
                };
            }

            return o;
        }

        private TimingOptions ReadTiming(IConfigurationSection section, string path)
        {
            var o = new TimingOptions();
            foreach (var (key, child, p) in Fields(section, path, TimingKeys, "the timing settings"))
            {
                o = key switch
                {
                    "Enabled" => o with { Enabled = Bool(child, p) ?? o.Enabled },
                    "MinIntervals" => o with { MinIntervals = Int(child, p) ?? o.MinIntervals },
                    "MaxCv" => o with { MaxCv = Double(child, p) ?? o.MaxCv },
                    "MaxMeanSeconds" => o with { MaxMeanSeconds = Int(child, p) ?? o.MaxMeanSeconds },
                    "BurstRequests" => o with { BurstRequests = Int(child, p) ?? o.BurstRequests },
                    "BurstMs" => o with { BurstMs = Int(child, p) ?? o.BurstMs },
                    "SkipApiKeys" => o with { SkipApiKeys = Bool(child, p) ?? o.SkipApiKeys },
                    _ => o,
                };
            }

            return o;
        }

        private ResourceEnumerationOptions ReadEnumeration(IConfigurationSection section, string path)
        {
            var o = new ResourceEnumerationOptions();
            foreach (var (key, child, p) in Fields(section, path, EnumerationKeys, "the enumeration settings"))
            {
                o = key switch
                {
                    "Enabled" => o with { Enabled = Bool(child, p) ?? o.Enabled },
                    "SkipApiKeys" => o with { SkipApiKeys = Bool(child, p) ?? o.SkipApiKeys },
                    "SequentialRun" => o with { SequentialRun = Int(child, p) ?? o.SequentialRun },
                    "MaxStep" => o with { MaxStep = Int(child, p) ?? o.MaxStep },
                    "NotFoundRatio" => o with { NotFoundRatio = Double(child, p) ?? o.NotFoundRatio },
                    "MinObserved" => o with { MinObserved = Int(child, p) ?? o.MinObserved },
                    "DistinctResources" => o with { DistinctResources = Int(child, p) ?? o.DistinctResources },
                    "DistinctWindowSeconds" => o with { DistinctWindowSeconds = Int(child, p) ?? o.DistinctWindowSeconds },
                    "NearLimitRun" => o with { NearLimitRun = Int(child, p) ?? o.NearLimitRun },
                    _ => o,
                };
            }

            return o;
        }

        private StuffingOptions ReadStuffing(IConfigurationSection section, string path)
        {
            var o = new StuffingOptions();
            foreach (var (key, child, p) in Fields(section, path, StuffingKeys, "the credential-stuffing settings"))
            {
                o = key switch
                {
                    "Enabled" => o with { Enabled = Bool(child, p) ?? o.Enabled },
                    "PasswordField" => o with { PasswordField = String(child, p) ?? o.PasswordField },
                    "WindowSeconds" => o with { WindowSeconds = Int(child, p) ?? o.WindowSeconds },
                    "AccountsPerIp" => o with { AccountsPerIp = Int(child, p) ?? o.AccountsPerIp },
                    "AccountsPerSubnet" => o with { AccountsPerSubnet = Int(child, p) ?? o.AccountsPerSubnet },
                    "AccountsPerAsn" => o with { AccountsPerAsn = Int(child, p) ?? o.AccountsPerAsn },
                    "AccountsPerCluster" => o with { AccountsPerCluster = Int(child, p) ?? o.AccountsPerCluster },
                    "AccountsPerPassword" => o with { AccountsPerPassword = Int(child, p) ?? o.AccountsPerPassword },
                    "FailureRatio" => o with { FailureRatio = Double(child, p) ?? o.FailureRatio },
                    "MinAttempts" => o with { MinAttempts = Int(child, p) ?? o.MinAttempts },
                    "FailureStatuses" => o with { FailureStatuses = IntList(child, p) ?? o.FailureStatuses },
                    _ => o,
                };
            }

            return o;
        }

        private ApiKeyMisuseOptions ReadApiKeyMisuse(IConfigurationSection section, string path)
        {
            var o = new ApiKeyMisuseOptions();
            foreach (var (key, child, p) in Fields(section, path, ApiKeyMisuseKeys, "the API key misuse settings"))
            {
                o = key switch
                {
                    "Enabled" => o with { Enabled = Bool(child, p) ?? o.Enabled },
                    "WindowSeconds" => o with { WindowSeconds = Int(child, p) ?? o.WindowSeconds },
                    "RateFactor" => o with { RateFactor = Double(child, p) ?? o.RateFactor },
                    "MinRequests" => o with { MinRequests = Int(child, p) ?? o.MinRequests },
                    "NewIps" => o with { NewIps = Int(child, p) ?? o.NewIps },
                    "ErrorRatio" => o with { ErrorRatio = Double(child, p) ?? o.ErrorRatio },
                    "NewCountries" => o with { NewCountries = Int(child, p) ?? o.NewCountries },
                    "NewSources" => o with { NewSources = Bool(child, p) ?? o.NewSources },
                    "SourceWarmupSeconds" => o with { SourceWarmupSeconds = Int(child, p) ?? o.SourceWarmupSeconds },
                    "SourceActiveSeconds" => o with { SourceActiveSeconds = Int(child, p) ?? o.SourceActiveSeconds },
                    _ => o,
                };
            }

            return o;
        }

        private List<int>? IntList(IConfigurationSection section, string path)
        {
            var items = Items(section, path, "whole numbers", "[401, 403]");
            if (items is null)
            {
                return null;
            }

            var list = new List<int>(items.Count);
            foreach (var (index, item) in items)
            {
                if (Int(item, ConfigPath.Index(path, index)) is { } value)
                {
                    list.Add(value);
                }
            }

            return list;
        }
    }
}
