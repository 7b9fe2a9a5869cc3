using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Bulwark.Core.Policy;

/// <summary>
/// Reads the <c>Bulwark</c> section of an <see cref="IConfiguration"/> into <see cref="BulwarkOptions"/>, walking every key
/// explicitly so that unknown keys, wrong types and invalid values are each reported with their JSON path, then runs
/// <see cref="BulwarkConfigValidator"/>. Every error is collected; none stops the reading.
/// </summary>
public static partial class BulwarkConfigReader
{
    /// <summary>Name of the top-level section.</summary>
    public const string SectionName = "Bulwark";

    internal static readonly string[] Modes = ["enforce", "monitor"];
    internal static readonly string[] FailModes = ["open", "closed"];
    internal static readonly string[] Algorithms = ["token_bucket", "sliding_window", "gcra", "fixed_window", "concurrency"];
    internal static readonly string[] Counts = ["requests", "cost", "failures"];
    internal static readonly string[] OnLimits = ["block", "delay"];
    internal static readonly string[] Stores = ["memory", "redis"];

    private static readonly string[] BulwarkKeys =
        ["Mode", "TrustedProxies", "Ipv6Prefix", "State", "Lists", "Identity", "Privacy", "IpIntel", "Routes", "Policies", "Gateway", "Schema", "Fingerprints", "Behavior", "Challenge"];
    private static readonly string[] StateKeys = ["Store", "Memory", "Redis"];
    private static readonly string[] MemoryKeys = ["MaxEntries"];
    private static readonly string[] RedisKeys = ["Connection", "KeyPrefix", "BudgetMs", "FallbackShare", "RefusalCacheEntries"];
    private static readonly string[] ListsKeys = ["Allow", "Deny"];
    private static readonly string[] ListKeys = ["Cidrs", "ApiKeys", "Accounts"];
    private static readonly string[] IdentityKeys = ["ApiKeyHeader", "SessionCookie", "SessionHeader", "AccountBodyFields", "MaxBodyBytes"];
    private static readonly string[] PrivacyKeys = ["Ipv4MaskBits", "Ipv6MaskBits", "PseudonymKey"];
    private static readonly string[] IpIntelKeys = ["Database", "Sources", "PartnerAsns", "AsnScores", "KeyCountries", "ImpossibleTravel"];
    private static readonly string[] TravelKeys = ["SpeedKmh", "MinDistanceKm", "MaxTracked"];
    private static readonly string[] CountryKeys = ["Allow", "Deny"];
    private static readonly string[] RouteKeys = ["Name", "Methods", "Path", "Policy", "Cost", "CostUsd"];
    private static readonly string[] PolicyKeys = ["Mode", "FailMode", "Thresholds", "Delay", "Limits", "Signals", "Consumer", "StepUp", "Countries", "Login", "Otp", "Budget", "Behavior"];
    private static readonly string[] ThresholdKeys = ["Delay", "Challenge", "Block"];
    private static readonly string[] DelayKeys = ["BaseMs", "MaxMs"];
    private static readonly string[] LimitKeys = ["Name", "Key", "Rate", "Burst", "Algorithm", "Count", "FailureStatuses", "OnLimit", "Tiers"];
    private static readonly string[] TierKeys = ["When", "Rate", "Burst"];

    /// <summary>Reads and validates the <c>Bulwark</c> section of <paramref name="root"/>.</summary>
    public static ConfigReadResult Read(IConfiguration root)
    {
        ArgumentNullException.ThrowIfNull(root);
        var errors = new List<ConfigError>();

        // GetSection().Exists() is false for an empty object ({ "Bulwark": {} }), which is a valid configuration of defaults,
        // so look for the key itself.
        var section = root.GetChildren().FirstOrDefault(c => string.Equals(c.Key, SectionName, StringComparison.OrdinalIgnoreCase));
        if (section is null)
        {
            errors.Add(new ConfigError(
                "$",
                "the \"Bulwark\" section is missing",
                "Put the settings in a top-level object: { \"Bulwark\": { \"Mode\": \"enforce\", … } }."));
            return new ConfigReadResult(null, errors);
        }

        var options = new Walker(errors).ReadBulwark(section, ConfigPath.Root);
        errors.AddRange(BulwarkConfigValidator.Validate(options));
        return new ConfigReadResult(errors.Count == 0 ? options : null, errors);
    }

    /// <summary>One read: the error list and the readers of each options type.</summary>
    private sealed partial class Walker(List<ConfigError> errors)
    {
        private enum Shape
        {
            Empty,
            Scalar,
            Object,
            Array,
        }

        public BulwarkOptions ReadBulwark(IConfigurationSection section, string path)
        {
            var o = new BulwarkOptions();
            foreach (var (key, child, p) in Fields(section, path, BulwarkKeys, "the Bulwark settings"))
            {
                o = key switch
                {
                    "Mode" => o with { Mode = Enum(child, p, Modes, "mode") ?? o.Mode },
                    "TrustedProxies" => o with { TrustedProxies = StringList(child, p) ?? o.TrustedProxies },
                    "Ipv6Prefix" => o with { Ipv6Prefix = Int(child, p) ?? o.Ipv6Prefix },
                    "State" => o with { State = ReadState(child, p) },
                    "Lists" => o with { Lists = ReadLists(child, p) },
                    "Identity" => o with { Identity = ReadIdentity(child, p) },
                    "Privacy" => o with { Privacy = ReadPrivacy(child, p) },
                    "IpIntel" => o with { IpIntel = ReadIpIntel(child, p) },
                    "Fingerprints" => o with { Fingerprints = ReadFingerprints(child, p) },
                    "Routes" => o with { Routes = ObjectList(child, p, ReadRoute, "routes") ?? o.Routes },
                    "Policies" => o with { Policies = ReadPolicies(child, p) ?? o.Policies },
                    "Gateway" => o with { Gateway = ReadGateway(child, p) },
                    "Schema" => o with { Schema = ReadSchema(child, p) },
                    "Behavior" => o with { Behavior = ReadBehavior(child, p) },
                    "Challenge" => o with { Challenge = ReadChallenge(child, p) },
                    _ => o,
                };
            }

            return o;
        }

        private StateOptions ReadState(IConfigurationSection section, string path)
        {
            var o = new StateOptions();
            foreach (var (key, child, p) in Fields(section, path, StateKeys, "the state settings"))
            {
                o = key switch
                {
                    "Store" => o with { Store = Enum(child, p, Stores, "store") ?? o.Store },
                    "Memory" => o with { Memory = ReadMemory(child, p) },
                    "Redis" => o with { Redis = ReadRedis(child, p) },
                    _ => o,
                };
            }

            return o;
        }

        private MemoryStoreOptions ReadMemory(IConfigurationSection section, string path)
        {
            var o = new MemoryStoreOptions();
            foreach (var (key, child, p) in Fields(section, path, MemoryKeys, "the memory store settings"))
            {
                if (key == "MaxEntries")
                {
                    o = o with { MaxEntries = Int(child, p) ?? o.MaxEntries };
                }
            }

            return o;
        }

        private RedisOptions ReadRedis(IConfigurationSection section, string path)
        {
            var o = new RedisOptions();
            foreach (var (key, child, p) in Fields(section, path, RedisKeys, "the Redis settings"))
            {
                o = key switch
                {
                    "Connection" => o with { Connection = NullIfEmpty(String(child, p)) },
                    "KeyPrefix" => o with { KeyPrefix = String(child, p) ?? o.KeyPrefix },
                    "BudgetMs" => o with { BudgetMs = Int(child, p) ?? o.BudgetMs },
                    "FallbackShare" => o with { FallbackShare = Double(child, p) ?? o.FallbackShare },
                    "RefusalCacheEntries" => o with { RefusalCacheEntries = Int(child, p) ?? o.RefusalCacheEntries },
                    _ => o,
                };
            }

            return o;
        }

        private ListsOptions ReadLists(IConfigurationSection section, string path)
        {
            var o = new ListsOptions();
            foreach (var (key, child, p) in Fields(section, path, ListsKeys, "the lists"))
            {
                o = key switch
                {
                    "Allow" => o with { Allow = ReadList(child, p) },
                    "Deny" => o with { Deny = ReadList(child, p) },
                    _ => o,
                };
            }

            return o;
        }

        private ListOptions ReadList(IConfigurationSection section, string path)
        {
            var o = new ListOptions();
            foreach (var (key, child, p) in Fields(section, path, ListKeys, "a list"))
            {
                o = key switch
                {
                    "Cidrs" => o with { Cidrs = StringList(child, p) ?? o.Cidrs },
                    "ApiKeys" => o with { ApiKeys = StringList(child, p) ?? o.ApiKeys },
                    "Accounts" => o with { Accounts = StringList(child, p) ?? o.Accounts },
                    _ => o,
                };
            }

            return o;
        }

        private IdentityOptions ReadIdentity(IConfigurationSection section, string path)
        {
            var o = new IdentityOptions();
            foreach (var (key, child, p) in Fields(section, path, IdentityKeys, "the identity settings"))
            {
                o = key switch
                {
                    "ApiKeyHeader" => o with { ApiKeyHeader = String(child, p) ?? o.ApiKeyHeader },
                    "SessionCookie" => o with { SessionCookie = String(child, p) ?? o.SessionCookie },
                    "SessionHeader" => o with { SessionHeader = String(child, p) ?? o.SessionHeader },
                    "AccountBodyFields" => o with { AccountBodyFields = StringList(child, p) ?? o.AccountBodyFields },
                    "MaxBodyBytes" => o with { MaxBodyBytes = Int(child, p) ?? o.MaxBodyBytes },
                    _ => o,
                };
            }

            return o;
        }

        private PrivacyOptions ReadPrivacy(IConfigurationSection section, string path)
        {
            var o = new PrivacyOptions();
            foreach (var (key, child, p) in Fields(section, path, PrivacyKeys, "the privacy settings"))
            {
                o = key switch
                {
                    "Ipv4MaskBits" => o with { Ipv4MaskBits = Int(child, p) ?? o.Ipv4MaskBits },
                    "Ipv6MaskBits" => o with { Ipv6MaskBits = Int(child, p) ?? o.Ipv6MaskBits },
                    "PseudonymKey" => o with { PseudonymKey = NullIfEmpty(String(child, p)) },
                    _ => o,
                };
            }

            return o;
        }

        private IpIntelOptions ReadIpIntel(IConfigurationSection section, string path)
        {
            var o = new IpIntelOptions();
            foreach (var (key, child, p) in Fields(section, path, IpIntelKeys, "the IP intelligence settings"))
            {
                o = key switch
                {
                    "Database" => o with { Database = NullIfEmpty(String(child, p)) },
                    "Sources" => o with { Sources = StringList(child, p) ?? o.Sources },
                    "PartnerAsns" => o with { PartnerAsns = StringList(child, p)?.Select(a => AsnText.Parse(a) ?? -1).ToArray() ?? o.PartnerAsns },
                    "AsnScores" => o with { AsnScores = ReadSignals(child, p) ?? o.AsnScores },
                    "ImpossibleTravel" => o with { ImpossibleTravel = ReadTravel(child, p) },
                    "KeyCountries" => o with { KeyCountries = ReadKeyCountries(child, p) ?? o.KeyCountries },
                    _ => o,
                };
            }

            return o;
        }

        private Dictionary<string, IReadOnlyList<string>>? ReadKeyCountries(IConfigurationSection section, string path)
        {
            var entries = Entries(section, path, "countries per API key", "\"KeyCountries\": { \"sha256-…\": [ \"DE\", \"AT\" ] }");
            if (entries is null)
            {
                return null;
            }

            var result = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
            foreach (var child in entries)
            {
                if (StringList(child, ConfigPath.Property(path, child.Key)) is { } countries)
                {
                    result[child.Key] = countries.Select(c => c.Trim().ToUpperInvariant()).ToArray();
                }
            }

            return result;
        }

        private ImpossibleTravelOptions ReadTravel(IConfigurationSection section, string path)
        {
            var o = new ImpossibleTravelOptions();
            foreach (var (key, child, p) in Fields(section, path, TravelKeys, "the impossible-travel settings"))
            {
                o = key switch
                {
                    "SpeedKmh" => o with { SpeedKmh = Int(child, p) ?? o.SpeedKmh },
                    "MinDistanceKm" => o with { MinDistanceKm = Int(child, p) ?? o.MinDistanceKm },
                    "MaxTracked" => o with { MaxTracked = Int(child, p) ?? o.MaxTracked },
                    _ => o,
                };
            }

            return o;
        }

        private CountryListOptions ReadCountries(IConfigurationSection section, string path)
        {
            var o = new CountryListOptions();
            foreach (var (key, child, p) in Fields(section, path, CountryKeys, "the country lists"))
            {
                o = key switch
                {
                    "Allow" => o with { Allow = StringList(child, p)?.Select(c => c.Trim().ToUpperInvariant()).ToArray() ?? o.Allow },
                    "Deny" => o with { Deny = StringList(child, p)?.Select(c => c.Trim().ToUpperInvariant()).ToArray() ?? o.Deny },
                    _ => o,
                };
            }

            return o;
        }

        private RouteOptions ReadRoute(IConfigurationSection section, string path)
        {
            var o = new RouteOptions();
            foreach (var (key, child, p) in Fields(section, path, RouteKeys, "a route"))
            {
                o = key switch
                {
                    "Name" => o with { Name = NullIfEmpty(String(child, p)) },
                    "Methods" => o with { Methods = StringList(child, p)?.Select(m => m.Trim().ToUpperInvariant()).ToArray() ?? o.Methods },
                    "Path" => o with { Path = String(child, p) ?? o.Path },
                    "Policy" => o with { Policy = String(child, p) ?? o.Policy },
                    "Cost" => o with { Cost = Int(child, p) ?? o.Cost },
                    "CostUsd" => o with { CostUsd = Decimal(child, p) ?? o.CostUsd },
                    _ => o,
                };
            }

            return o;
        }

        private Dictionary<string, PolicyOptions>? ReadPolicies(IConfigurationSection section, string path)
        {
            var entries = Entries(section, path, "policies", "\"Policies\": { \"login\": { \"Limits\": [ … ] } }");
            if (entries is null)
            {
                return null;
            }

            var policies = new Dictionary<string, PolicyOptions>(StringComparer.OrdinalIgnoreCase);
            foreach (var child in entries)
            {
                // A policy whose body is unreadable is still defined, so routes naming it do not add a second error.
                policies[child.Key] = ReadPolicy(child, ConfigPath.Property(path, child.Key));
            }

            return policies;
        }

        private PolicyOptions ReadPolicy(IConfigurationSection section, string path)
        {
            var o = new PolicyOptions();
            foreach (var (key, child, p) in Fields(section, path, PolicyKeys, "a policy"))
            {
                o = key switch
                {
                    "Mode" => o with { Mode = Enum(child, p, Modes, "mode") },
                    "FailMode" => o with { FailMode = Enum(child, p, FailModes, "fail mode") ?? o.FailMode },
                    "Thresholds" => o with { Thresholds = ReadThresholds(child, p) },
                    "Delay" => o with { Delay = ReadDelay(child, p) },
                    "Limits" => o with { Limits = ObjectList(child, p, ReadLimit, "limits") ?? o.Limits },
                    "Signals" => o with { Signals = ReadSignals(child, p) ?? o.Signals },
                    "Consumer" => o with { Consumer = Bool(child, p) ?? o.Consumer },
                    "StepUp" => o with { StepUp = Bool(child, p) ?? o.StepUp },
                    "Countries" => o with { Countries = ReadCountries(child, p) },
                    "Login" => o with { Login = ReadLogin(child, p) },
                    "Otp" => o with { Otp = ReadOtp(child, p) },
                    "Budget" => o with { Budget = ReadBudget(child, p) },
                    "Behavior" => o with { Behavior = ReadPolicyBehavior(child, p) },
                    _ => o,
                };
            }

            return o;
        }

        private ThresholdOptions ReadThresholds(IConfigurationSection section, string path)
        {
            var o = new ThresholdOptions();
            foreach (var (key, child, p) in Fields(section, path, ThresholdKeys, "the thresholds"))
            {
                o = key switch
                {
                    "Delay" => o with { Delay = Int(child, p) ?? o.Delay },
                    "Challenge" => o with { Challenge = Int(child, p) ?? o.Challenge },
                    "Block" => o with { Block = Int(child, p) ?? o.Block },
                    _ => o,
                };
            }

            return o;
        }

        private DelayOptions ReadDelay(IConfigurationSection section, string path)
        {
            var o = new DelayOptions();
            foreach (var (key, child, p) in Fields(section, path, DelayKeys, "the delay settings"))
            {
                o = key switch
                {
                    "BaseMs" => o with { BaseMs = Int(child, p) ?? o.BaseMs },
                    "MaxMs" => o with { MaxMs = Int(child, p) ?? o.MaxMs },
                    _ => o,
                };
            }

            return o;
        }

        private Dictionary<string, int>? ReadSignals(IConfigurationSection section, string path)
        {
            var entries = Entries(section, path, "signal weights", "\"Signals\": { \"headless_browser\": 40 }");
            if (entries is null)
            {
                return null;
            }

            var signals = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
            foreach (var child in entries)
            {
                if (Int(child, ConfigPath.Property(path, child.Key)) is { } weight)
                {
                    signals[child.Key] = weight;
                }
            }

            return signals;
        }

        private LimitOptions ReadLimit(IConfigurationSection section, string path)
        {
            var o = new LimitOptions();
            foreach (var (key, child, p) in Fields(section, path, LimitKeys, "a limit"))
            {
                o = key switch
                {
                    "Name" => o with { Name = String(child, p) ?? o.Name },
                    "Key" => o with { Key = String(child, p) ?? o.Key },
                    "Rate" => o with { Rate = String(child, p) ?? o.Rate },
                    "Burst" => o with { Burst = Long(child, p) },
                    "Algorithm" => o with { Algorithm = Enum(child, p, Algorithms, "algorithm") ?? o.Algorithm },
                    "Count" => o with { Count = Enum(child, p, Counts, "count") ?? o.Count },
                    "FailureStatuses" => o with { FailureStatuses = StringList(child, p) ?? o.FailureStatuses },
                    "OnLimit" => o with { OnLimit = Enum(child, p, OnLimits, "OnLimit action") ?? o.OnLimit },
                    "Tiers" => o with { Tiers = ObjectList(child, p, ReadTier, "tiers") ?? o.Tiers },
                    _ => o,
                };
            }

            return o;
        }

        private TierOptions ReadTier(IConfigurationSection section, string path)
        {
            var o = new TierOptions();
            foreach (var (key, child, p) in Fields(section, path, TierKeys, "a tier"))
            {
                o = key switch
                {
                    "When" => o with { When = String(child, p) ?? o.When },
                    "Rate" => o with { Rate = String(child, p) ?? o.Rate },
                    "Burst" => o with { Burst = Long(child, p) },
                    _ => o,
                };
            }

            return o;
        }

        // ---- shapes -------------------------------------------------------------------------------------------------

        /// <summary>
        /// The known fields of an object, each with its canonical key name and JSON path. Unknown keys are reported (with the
        /// nearest known key), and a section that is not an object is reported and yields nothing.
        /// </summary>
        private IEnumerable<(string Key, IConfigurationSection Child, string Path)> Fields(
            IConfigurationSection section, string path, string[] known, string what)
        {
            // An iterator, so errors are reported in key order, interleaved with those of the values read.
            var shape = ShapeOf(section, out var children);
            if (shape is Shape.Scalar or Shape.Array)
            {
                errors.Add(new ConfigError(
                    path,
                    $"expected an object ({what}), found {Describe(shape, section)}",
                    $"Write {what} as an object with keys such as {string.Join(", ", known.Take(3))}: {{ \"{known[0]}\": … }}."));
                yield break;
            }

            foreach (var child in children)
            {
                var key = known.FirstOrDefault(k => string.Equals(k, child.Key, StringComparison.OrdinalIgnoreCase));
                if (key is null)
                {
                    var suggestion = ConfigPath.Suggest(child.Key, known);
                    errors.Add(new ConfigError(
                        ConfigPath.Property(path, child.Key),
                        $"unknown key \"{child.Key}\" in {what}",
                        suggestion is not null
                            ? $"Did you mean \"{suggestion}\"?"
                            : $"Remove it, or use one of the known keys: {string.Join(", ", known)}."));
                    continue;
                }

                yield return (key, child, ConfigPath.Property(path, key));
            }
        }

        /// <summary>The children of a name-keyed object (policies, signals), or null after reporting a wrong shape.</summary>
        private List<IConfigurationSection>? Entries(IConfigurationSection section, string path, string what, string example)
        {
            var shape = ShapeOf(section, out var children);
            if (shape is Shape.Scalar or Shape.Array)
            {
                errors.Add(new ConfigError(
                    path,
                    $"expected an object of {what} by name, found {Describe(shape, section)}",
                    $"Write {what} as an object keyed by name: {example}."));
                return null;
            }

            return children;
        }

        private List<T>? ObjectList<T>(IConfigurationSection section, string path, Func<IConfigurationSection, string, T> read, string what)
        {
            var items = Items(section, path, what, "[ { … }, { … } ]");
            if (items is null)
            {
                return null;
            }

            var list = new List<T>(items.Count);
            foreach (var (index, item) in items)
            {
                list.Add(read(item, ConfigPath.Index(path, index)));
            }

            return list;
        }

        private List<string>? StringList(IConfigurationSection section, string path)
        {
            var items = Items(section, path, "strings", section.Value is { } value ? $"[\"{value}\"]" : "[\"…\"]");
            if (items is null)
            {
                return null;
            }

            var list = new List<string>(items.Count);
            foreach (var (index, item) in items)
            {
                if (String(item, ConfigPath.Index(path, index)) is { } text)
                {
                    list.Add(text);
                }
            }

            return list;
        }

        /// <summary>The elements of an array with their indices, or null after reporting a wrong shape.</summary>
        private List<(int Index, IConfigurationSection Item)>? Items(IConfigurationSection section, string path, string what, string example)
        {
            var shape = ShapeOf(section, out var children);
            switch (shape)
            {
                case Shape.Empty:
                    return [];
                case Shape.Array:
                    return children
                        .Select(c => (int.Parse(c.Key, NumberStyles.None, CultureInfo.InvariantCulture), c))
                        .OrderBy(pair => pair.Item1)
                        .ToList();
                default:
                    errors.Add(new ConfigError(
                        path,
                        $"expected an array of {what}, found {Describe(shape, section)}",
                        $"Write it as an array: {example}."));
                    return null;
            }
        }

        private string? String(IConfigurationSection section, string path)
        {
            var shape = ShapeOf(section, out _);
            if (shape is Shape.Object or Shape.Array)
            {
                errors.Add(new ConfigError(path, $"expected a string, found {Describe(shape, section)}", "Write a single quoted value here."));
                return null;
            }

            return section.Value;
        }

        private bool? Bool(IConfigurationSection section, string path)
        {
            var text = String(section, path);
            if (string.IsNullOrEmpty(text))
            {
                return null;
            }

            if (bool.TryParse(text, out var value))
            {
                return value;
            }

            errors.Add(new ConfigError(path, $"expected true or false, found \"{text}\"", "Write true or false without quotes."));
            return null;
        }

        private int? Int(IConfigurationSection section, string path) =>
            Long(section, path, int.MinValue, int.MaxValue) is { } value ? (int)value : null;

        private double? Double(IConfigurationSection section, string path)
        {
            var text = String(section, path);
            if (string.IsNullOrEmpty(text))
            {
                return null;
            }

            if (double.TryParse(text, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value))
            {
                return value;
            }

            errors.Add(new ConfigError(
                path,
                $"expected a number, found \"{text}\"",
                "Write a number without quotes, like 0.5."));
            return null;
        }

        private long? Long(IConfigurationSection section, string path) => Long(section, path, long.MinValue, long.MaxValue);

        private long? Long(IConfigurationSection section, string path, long min, long max)
        {
            var text = String(section, path);
            if (string.IsNullOrEmpty(text))
            {
                // Absent or JSON null: keep the default.
                return null;
            }

            if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
            {
                return value;
            }

            errors.Add(new ConfigError(
                path,
                $"expected a whole number, found \"{text}\"",
                "Write a whole number without quotes or units, like 100."));
            return null;
        }

        private string? Enum(IConfigurationSection section, string path, string[] allowed, string noun)
        {
            var text = String(section, path);
            if (string.IsNullOrEmpty(text))
            {
                return null;
            }

            var match = allowed.FirstOrDefault(a => string.Equals(a, text.Trim(), StringComparison.OrdinalIgnoreCase));
            if (match is not null)
            {
                return match;
            }

            errors.Add(new ConfigError(
                path,
                $"\"{text}\" is not a valid {noun}",
                $"Use {OneOf(allowed)}.{ConfigPath.DidYouMean(text, allowed)}"));
            return null;
        }

        private static string? NullIfEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;

        private static Shape ShapeOf(IConfigurationSection section, out List<IConfigurationSection> children)
        {
            children = section.GetChildren().ToList();
            if (children.Count == 0)
            {
                // The JSON provider stores an empty array or object as a key with an empty value.
                return string.IsNullOrEmpty(section.Value) ? Shape.Empty : Shape.Scalar;
            }

            return children.TrueForAll(c => int.TryParse(c.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                ? Shape.Array
                : Shape.Object;
        }

        private static string Describe(Shape shape, IConfigurationSection section) => shape switch
        {
            Shape.Scalar => $"the value \"{section.Value}\"",
            Shape.Array => "an array",
            Shape.Object => "an object",
            _ => "nothing",
        };
    }

    /// <summary><c>"a", "b" or "c"</c>.</summary>
    internal static string OneOf(IReadOnlyList<string> allowed) => allowed.Count switch
    {
        1 => $"\"{allowed[0]}\"",
        _ => string.Join(", ", allowed.Take(allowed.Count - 1).Select(a => $"\"{a}\"")) + $" or \"{allowed[^1]}\"",
    };
}
