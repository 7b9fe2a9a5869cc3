using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Bulwark.Core.Limits;

namespace Bulwark.Core.Policy;

/// <summary>
/// Semantic checks of <see cref="BulwarkOptions"/>: values that have the right type but cannot work (a rate that does not
/// parse, a route naming no policy, thresholds that do not rise). Collects every error, each with its JSON path and a fix.
/// </summary>
public static partial class BulwarkConfigValidator
{
    private const int MaxBodyBytesLimit = 1_048_576;

    /// <summary>Checks <paramref name="options"/> and returns every error found; empty when it is valid.</summary>
    public static IReadOnlyList<ConfigError> Validate(BulwarkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<ConfigError>();
        var root = ConfigPath.Root;

        CheckEnum(errors, ConfigPath.Property(root, "Mode"), options.Mode, BulwarkConfigReader.Modes, "mode");
        CheckNetworks(errors, ConfigPath.Property(root, "TrustedProxies"), options.TrustedProxies);
        if (options.Ipv6Prefix is < 1 or > 128)
        {
            errors.Add(new ConfigError(
                ConfigPath.Property(root, "Ipv6Prefix"),
                $"IPv6 prefix {options.Ipv6Prefix} is out of range",
                "Use a prefix length from 1 to 128; 64 groups each customer network into one client."));
        }

        CheckState(errors, ConfigPath.Property(root, "State"), options.State);
        var lists = ConfigPath.Property(root, "Lists");
        CheckNetworks(errors, ConfigPath.Property(ConfigPath.Property(lists, "Allow"), "Cidrs"), options.Lists.Allow.Cidrs);
        CheckNetworks(errors, ConfigPath.Property(ConfigPath.Property(lists, "Deny"), "Cidrs"), options.Lists.Deny.Cidrs);
        CheckIdentity(errors, ConfigPath.Property(root, "Identity"), options.Identity);
        CheckPrivacy(errors, ConfigPath.Property(root, "Privacy"), options.Privacy);
        CheckIpIntel(errors, ConfigPath.Property(root, "IpIntel"), options.IpIntel);
        CheckGateway(errors, ConfigPath.Property(root, "Gateway"), options.Gateway);
        CheckFingerprints(errors, ConfigPath.Property(root, "Fingerprints"), options.Fingerprints);
        CheckBehavior(errors, ConfigPath.Property(root, "Behavior"), options.Behavior);
        CheckChallenge(errors, ConfigPath.Property(root, "Challenge"), options.Challenge);

        var routes = ConfigPath.Property(root, "Routes");
        for (var i = 0; i < options.Routes.Count; i++)
        {
            CheckRoute(errors, ConfigPath.Index(routes, i), options.Routes[i], options.Policies);
            CheckRouteCost(errors, ConfigPath.Index(routes, i), options.Routes[i]);
        }

        var policies = ConfigPath.Property(root, "Policies");
        foreach (var (name, policy) in options.Policies)
        {
            CheckPolicy(errors, ConfigPath.Property(policies, name), policy);
            CheckProtections(errors, ConfigPath.Property(policies, name), policy);
        }

        CheckSchema(errors, ConfigPath.Property(root, "Schema"), options.Schema, options.Policies);
        return errors;
    }

    private static void CheckState(List<ConfigError> errors, string path, StateOptions state)
    {
        CheckEnum(errors, ConfigPath.Property(path, "Store"), state.Store, BulwarkConfigReader.Stores, "store");
        if (state.Store == "redis" && string.IsNullOrWhiteSpace(state.Redis.Connection))
        {
            errors.Add(new ConfigError(
                ConfigPath.Property(ConfigPath.Property(path, "Redis"), "Connection"),
                "Store is \"redis\" but no Redis connection is set",
                "Set State:Redis:Connection to \"host:port\" (for example \"localhost:6379\"), or use Store \"memory\"."));
        }

        var redis = ConfigPath.Property(path, "Redis");
        if (state.Store == "redis" && !string.IsNullOrWhiteSpace(state.Redis.Connection) && ConnectionProblem(state.Redis.Connection) is { } problem)
        {
            errors.Add(new ConfigError(
                ConfigPath.Property(redis, "Connection"),
                problem,
                "Write \"host:port\" with optional settings after commas, like \"redis.internal:6379,user=gateway,password=…,ssl=true\"; settings are password, user, ssl, sslHost, sslCaFile (an existing PEM file), connectTimeout, protocol and connections."));
        }

        if (state.Redis.KeyPrefix.AsSpan().IndexOfAny('{', '}') >= 0)
        {
            errors.Add(new ConfigError(
                ConfigPath.Property(redis, "KeyPrefix"),
                $"KeyPrefix \"{state.Redis.KeyPrefix}\" contains '{{' or '}}'",
                "Remove the braces: Bulwark puts the Redis Cluster hash tag {…} around the client value itself, like \"bulwark:\"."));
        }

        if (state.Redis.BudgetMs is < 1 or > 10_000)
        {
            errors.Add(new ConfigError(
                ConfigPath.Property(redis, "BudgetMs"),
                $"BudgetMs {state.Redis.BudgetMs} is out of range",
                "Use 1 to 10000 milliseconds; 5 (the default) suits a Redis in the same data centre."));
        }

        if (!(state.Redis.FallbackShare is > 0 and <= 1))
        {
            errors.Add(new ConfigError(
                ConfigPath.Property(redis, "FallbackShare"),
                $"FallbackShare {state.Redis.FallbackShare} is out of range",
                "Use a number above 0 and at most 1: the share of each limit one gateway enforces alone while Redis is down, like 1/N for N gateways (default 0.5)."));
        }

        if (state.Redis.RefusalCacheEntries is < 0 or > 16_777_216)
        {
            errors.Add(new ConfigError(
                ConfigPath.Property(redis, "RefusalCacheEntries"),
                $"RefusalCacheEntries {state.Redis.RefusalCacheEntries} is out of range",
                "Use 0 (no cache of known refusals) to 16777216; each entry costs 40 bytes, and 16384 (the default) is 640 KiB."));
        }

        if (state.Memory.MaxEntries < 1000)
        {
            errors.Add(new ConfigError(
                ConfigPath.Property(ConfigPath.Property(path, "Memory"), "MaxEntries"),
                $"MaxEntries {state.Memory.MaxEntries} is too small",
                "Use at least 1000; each entry costs about a hundred bytes, so 1,000,000 (the default) is about 100 MB."));
        }
    }

    /// <summary>What is wrong with a Redis connection string's shape, or null. Bulwark.Redis parses it fully at startup.</summary>
    private static string? ConnectionProblem(string connection)
    {
        string[] settings = ["password", "user", "ssl", "sslhost", "sslcafile", "connecttimeout", "protocol", "connections"];
        var parts = connection.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0 || parts[0].Contains('=', StringComparison.Ordinal))
        {
            return $"Redis connection \"{connection}\" does not start with host:port";
        }

        var hostPort = parts[0];
        var colon = hostPort.StartsWith('[') ? hostPort.IndexOf("]:", StringComparison.Ordinal) + 1 : hostPort.LastIndexOf(':');
        if (colon > 0 && !(int.TryParse(hostPort[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536))
        {
            return $"Redis connection \"{hostPort}\" has no valid port";
        }

        foreach (var part in parts.Skip(1))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || !settings.Contains(part[..eq].Trim().ToLowerInvariant()))
            {
                return $"Redis connection setting \"{(eq <= 0 ? part : part[..eq])}\" is not known";
            }

            if (part[..eq].Trim().Equals("sslcafile", StringComparison.OrdinalIgnoreCase) && !File.Exists(part[(eq + 1)..].Trim()))
            {
                return $"Redis connection setting sslCaFile names \"{part[(eq + 1)..].Trim()}\", which does not exist";
            }
        }

        return null;
    }

    private static void CheckIdentity(List<ConfigError> errors, string path, IdentityOptions identity)
    {
        if (identity.MaxBodyBytes is < 0 or > MaxBodyBytesLimit)
        {
            errors.Add(new ConfigError(
                ConfigPath.Property(path, "MaxBodyBytes"),
                $"MaxBodyBytes {identity.MaxBodyBytes} is out of range",
                "Use a size from 0 (never read bodies) to 1048576 bytes (1 MiB); the default is 16384."));
        }
    }

    private static void CheckPrivacy(List<ConfigError> errors, string path, PrivacyOptions privacy)
    {
        if (privacy.Ipv4MaskBits is < 0 or > 32)
        {
            errors.Add(new ConfigError(
                ConfigPath.Property(path, "Ipv4MaskBits"),
                $"Ipv4MaskBits {privacy.Ipv4MaskBits} is out of range",
                "Use a prefix length from 0 to 32; 24 (the default) keeps the network and drops the host."));
        }

        if (privacy.Ipv6MaskBits is < 0 or > 128)
        {
            errors.Add(new ConfigError(
                ConfigPath.Property(path, "Ipv6MaskBits"),
                $"Ipv6MaskBits {privacy.Ipv6MaskBits} is out of range",
                "Use a prefix length from 0 to 128; 48 (the default) keeps the site prefix."));
        }
    }

    private static void CheckRoute(List<ConfigError> errors, string path, RouteOptions route, IReadOnlyDictionary<string, PolicyOptions> policies)
    {
        CheckRoutePath(errors, ConfigPath.Property(path, "Path"), route.Path);

        var methods = ConfigPath.Property(path, "Methods");
        for (var i = 0; i < route.Methods.Count; i++)
        {
            var method = route.Methods[i];
            if (method.Length == 0 || !method.All(IsTokenChar))
            {
                errors.Add(new ConfigError(
                    ConfigPath.Index(methods, i),
                    $"\"{method}\" is not an HTTP method",
                    "Write a method name like \"GET\" or \"POST\" (letters only, no spaces or commas)."));
            }
        }

        if (string.IsNullOrWhiteSpace(route.Policy))
        {
            errors.Add(new ConfigError(
                ConfigPath.Property(path, "Policy"),
                "the route names no policy",
                $"Set Policy to one of the defined policies: {DefinedPolicies(policies)}."));
        }
        else if (!policies.ContainsKey(route.Policy))
        {
            errors.Add(new ConfigError(
                ConfigPath.Property(path, "Policy"),
                $"policy \"{route.Policy}\" is not defined",
                $"Use one of the defined policies ({DefinedPolicies(policies)}) or add \"{route.Policy}\" under Policies.{ConfigPath.DidYouMean(route.Policy, policies.Keys)}"));
        }

        if (route.Cost < 1)
        {
            errors.Add(new ConfigError(
                ConfigPath.Property(path, "Cost"),
                $"Cost {route.Cost} is below 1",
                "Use a cost of 1 or more: the permits one request to this route spends from limits that count cost."));
        }
    }

    private static string DefinedPolicies(IReadOnlyDictionary<string, PolicyOptions> policies) =>
        policies.Count == 0 ? "none are defined yet" : string.Join(", ", policies.Keys.Order(StringComparer.Ordinal));

    private static void CheckRoutePath(List<ConfigError> errors, string path, string pattern)
    {
        const string Example = "Write a path like \"/api/products/{id}\", \"/files/*\" or \"/static/**\".";
        if (string.IsNullOrEmpty(pattern) || pattern[0] != '/')
        {
            errors.Add(new ConfigError(path, $"path \"{pattern}\" does not start with '/'", Example));
            return;
        }

        var segments = pattern.Split('/');
        for (var i = 1; i < segments.Length; i++)
        {
            var segment = segments[i];
            var last = i == segments.Length - 1;
            var catchAll = segment == "**" || (segment.StartsWith("{**", StringComparison.Ordinal) && segment.EndsWith('}'));
            if (catchAll && !last)
            {
                errors.Add(new ConfigError(
                    path,
                    $"path \"{pattern}\": '{segment}' matches any remainder, so it must be the last segment",
                    "Move it to the end, or use '*' or '{name}' to match a single segment."));
                return;
            }

            if (!catchAll && segment.Contains("**", StringComparison.Ordinal))
            {
                errors.Add(new ConfigError(
                    path,
                    $"path \"{pattern}\": segment '{segment}' mixes '**' with other text",
                    "Use '**' alone as the final segment."));
                return;
            }

            if (!BracesBalanced(segment))
            {
                errors.Add(new ConfigError(
                    path,
                    $"path \"{pattern}\": the braces in '{segment}' are not balanced",
                    "Write a parameter as a whole segment like '{id}', with a name and one '{' and one '}'."));
                return;
            }
        }
    }

    private static bool BracesBalanced(string segment)
    {
        var open = -1;
        for (var i = 0; i < segment.Length; i++)
        {
            switch (segment[i])
            {
                case '{' when open >= 0:
                    return false;
                case '{':
                    open = i;
                    break;
                case '}' when open < 0 || i == open + 1:
                    return false;
                case '}':
                    open = -1;
                    break;
            }
        }

        return open < 0;
    }

    private static void CheckIpIntel(List<ConfigError> errors, string path, IpIntelOptions intel)
    {
        var sources = ConfigPath.Property(path, "Sources");
        for (var i = 0; i < intel.Sources.Count; i++)
        {
            var colon = intel.Sources[i].IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || !Uri.TryCreate(intel.Sources[i][(colon + 1)..], UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                errors.Add(new ConfigError(ConfigPath.Index(sources, i), $"'{intel.Sources[i]}' is not KIND:URL", "Write it like \"csv:https://example.org/asn-ipv4.csv\" (kinds as for ipdb build --source)."));
            }
        }

        var partners = ConfigPath.Property(path, "PartnerAsns");
        for (var i = 0; i < intel.PartnerAsns.Count; i++)
        {
            if (intel.PartnerAsns[i] <= 0)
            {
                errors.Add(new ConfigError(ConfigPath.Index(partners, i), "not an autonomous system number", "Write it like \"AS64500\" or \"64500\"."));
            }
        }

        var scores = ConfigPath.Property(path, "AsnScores");
        foreach (var (asn, score) in intel.AsnScores)
        {
            if (AsnText.Parse(asn) is null)
            {
                errors.Add(new ConfigError(ConfigPath.Property(scores, asn), $"'{asn}' is not an autonomous system number", "Key each score by ASN, like \"AS64500\": 40."));
            }
            else if (score is < 0 or > 100)
            {
                errors.Add(new ConfigError(ConfigPath.Property(scores, asn), $"score {score} is out of range", "Use a score from 0 to 100."));
            }
        }

        var keyCountries = ConfigPath.Property(path, "KeyCountries");
        foreach (var (key, countries) in intel.KeyCountries)
        {
            CheckCountries(errors, ConfigPath.Property(keyCountries, key), countries);
        }

        var travel = ConfigPath.Property(path, "ImpossibleTravel");
        if (intel.ImpossibleTravel.SpeedKmh < 1)
        {
            errors.Add(new ConfigError(ConfigPath.Property(travel, "SpeedKmh"), $"speed {intel.ImpossibleTravel.SpeedKmh} km/h is not a speed", "Use a speed above 0; 900 is an airliner."));
        }

        if (intel.ImpossibleTravel.MinDistanceKm < 0)
        {
            errors.Add(new ConfigError(ConfigPath.Property(travel, "MinDistanceKm"), "a distance cannot be negative", "Use 0 or more; 500 rides out city-level geolocation noise."));
        }

        if (intel.ImpossibleTravel.MaxTracked < 1_000)
        {
            errors.Add(new ConfigError(ConfigPath.Property(travel, "MaxTracked"), $"{intel.ImpossibleTravel.MaxTracked} is too few", "Track at least 1000 accounts and keys."));
        }
    }

    private static void CheckCountries(List<ConfigError> errors, string path, IReadOnlyList<string> countries)
    {
        for (var i = 0; i < countries.Count; i++)
        {
            if (countries[i].Length != 2 || !char.IsAsciiLetterUpper(countries[i][0]) || !char.IsAsciiLetterUpper(countries[i][1]))
            {
                errors.Add(new ConfigError(ConfigPath.Index(path, i), $"'{countries[i]}' is not a country code", "Use ISO 3166-1 alpha-2 codes, like \"DE\" or \"US\"."));
            }
        }
    }

    private static void CheckPolicy(List<ConfigError> errors, string path, PolicyOptions policy)
    {
        var countries = ConfigPath.Property(path, "Countries");
        CheckCountries(errors, ConfigPath.Property(countries, "Allow"), policy.Countries.Allow);
        CheckCountries(errors, ConfigPath.Property(countries, "Deny"), policy.Countries.Deny);

        if (policy.Mode is not null)
        {
            CheckEnum(errors, ConfigPath.Property(path, "Mode"), policy.Mode, BulwarkConfigReader.Modes, "mode");
        }

        CheckEnum(errors, ConfigPath.Property(path, "FailMode"), policy.FailMode, BulwarkConfigReader.FailModes, "fail mode");
        CheckThresholds(errors, ConfigPath.Property(path, "Thresholds"), policy.Thresholds);
        CheckPolicyBehavior(errors, ConfigPath.Property(path, "Behavior"), policy.Behavior);

        var delay = ConfigPath.Property(path, "Delay");
        if (policy.Delay.BaseMs < 0)
        {
            errors.Add(new ConfigError(
                ConfigPath.Property(delay, "BaseMs"),
                $"BaseMs {policy.Delay.BaseMs} is negative",
                "Use 0 or more milliseconds."));
        }

        if (policy.Delay.MaxMs < policy.Delay.BaseMs)
        {
            errors.Add(new ConfigError(
                ConfigPath.Property(delay, "MaxMs"),
                $"MaxMs {policy.Delay.MaxMs} is below BaseMs {policy.Delay.BaseMs}",
                "Set MaxMs to at least BaseMs: delays grow from BaseMs up to MaxMs."));
        }

        var limits = ConfigPath.Property(path, "Limits");
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < policy.Limits.Count; i++)
        {
            var limitPath = ConfigPath.Index(limits, i);
            var limit = policy.Limits[i];
            if (string.IsNullOrWhiteSpace(limit.Name))
            {
                errors.Add(new ConfigError(
                    ConfigPath.Property(limitPath, "Name"),
                    "the limit has no name",
                    "Give each limit a Name that is unique within the policy, like \"per-ip\"."));
            }
            else if (!names.Add(limit.Name))
            {
                errors.Add(new ConfigError(
                    ConfigPath.Property(limitPath, "Name"),
                    $"limit name \"{limit.Name}\" is used twice in this policy",
                    "Give each limit of a policy a different Name."));
            }

            CheckLimit(errors, limitPath, limit);
        }

        var signals = ConfigPath.Property(path, "Signals");
        foreach (var (signal, weight) in policy.Signals)
        {
            if (weight is < 0 or > 100)
            {
                errors.Add(new ConfigError(
                    ConfigPath.Property(signals, signal),
                    $"signal weight {weight} is out of range",
                    "Use a weight from 0 (signal off) to 100."));
            }
        }
    }

    private static void CheckThresholds(List<ConfigError> errors, string path, ThresholdOptions thresholds)
    {
        (string Name, int Value)[] steps = [("Delay", thresholds.Delay), ("Challenge", thresholds.Challenge), ("Block", thresholds.Block)];
        var inRange = true;
        foreach (var (name, value) in steps)
        {
            if (value is < 0 or > 100)
            {
                inRange = false;
                errors.Add(new ConfigError(
                    ConfigPath.Property(path, name),
                    $"{name} threshold {value} is out of range",
                    "Use a score from 1 to 100, or 0 to turn the action off."));
            }
        }

        if (!inRange)
        {
            return;
        }

        (string Name, int Value)? previous = null;
        foreach (var step in steps)
        {
            if (step.Value == 0)
            {
                continue;
            }

            if (previous is { } before && step.Value <= before.Value)
            {
                errors.Add(new ConfigError(
                    ConfigPath.Property(path, step.Name),
                    $"{step.Name} threshold {step.Value} is not above {before.Name} threshold {before.Value}",
                    "Make the thresholds rise: Delay < Challenge < Block (0 turns an action off)."));
            }

            previous = step;
        }
    }

    private static void CheckLimit(List<ConfigError> errors, string path, LimitOptions limit)
    {
        CheckEnum(errors, ConfigPath.Property(path, "Algorithm"), limit.Algorithm, BulwarkConfigReader.Algorithms, "algorithm");
        CheckEnum(errors, ConfigPath.Property(path, "Count"), limit.Count, BulwarkConfigReader.Counts, "count");
        CheckEnum(errors, ConfigPath.Property(path, "OnLimit"), limit.OnLimit, BulwarkConfigReader.OnLimits, "OnLimit action");

        if (!LimitKeySpec.TryParse(limit.Key, out _, out var keyError))
        {
            errors.Add(new ConfigError(ConfigPath.Property(path, "Key"), keyError, "Write a key like \"ip\", \"account+ip\" or \"header:X-Device-Id\"."));
        }

        CheckRate(errors, ConfigPath.Property(path, "Rate"), limit.Rate);
        var bucketed = limit.Algorithm is "token_bucket" or "gcra";
        CheckBurst(errors, ConfigPath.Property(path, "Burst"), limit.Burst, bucketed, limit.Algorithm);

        if (limit.OnLimit == "delay" && !bucketed)
        {
            errors.Add(new ConfigError(
                ConfigPath.Property(path, "OnLimit"),
                $"OnLimit \"delay\" needs a token_bucket or gcra limit, but the algorithm is \"{limit.Algorithm}\"",
                "Use OnLimit \"block\", or Algorithm \"token_bucket\" or \"gcra\"."));
        }

        if (limit.Count == "failures")
        {
            if (limit.Algorithm == "concurrency")
            {
                errors.Add(new ConfigError(
                    ConfigPath.Property(path, "Count"),
                    "a concurrency limit cannot count failures",
                    "Use Count \"requests\" for a concurrency limit, or another Algorithm for counting failures."));
            }

            CheckFailureStatuses(errors, ConfigPath.Property(path, "FailureStatuses"), limit.FailureStatuses);
        }

        var tiers = ConfigPath.Property(path, "Tiers");
        for (var i = 0; i < limit.Tiers.Count; i++)
        {
            var tierPath = ConfigPath.Index(tiers, i);
            var tier = limit.Tiers[i];
            if (string.IsNullOrWhiteSpace(tier.When))
            {
                errors.Add(new ConfigError(
                    ConfigPath.Property(tierPath, "When"),
                    "the tier has no When",
                    "Set When to the tier it applies to, like \"elevated\", \"high\" or \"hosting\"."));
            }

            CheckRate(errors, ConfigPath.Property(tierPath, "Rate"), tier.Rate);
            CheckBurst(errors, ConfigPath.Property(tierPath, "Burst"), tier.Burst, bucketed, limit.Algorithm);
        }
    }

    private static void CheckRate(List<ConfigError> errors, string path, string rate)
    {
        if (!RateSpec.TryParse(rate, out _, out var rateError))
        {
            errors.Add(new ConfigError(path, rateError, "Write the rate like \"100/min\"."));
        }
    }

    private static void CheckBurst(List<ConfigError> errors, string path, long? burst, bool bucketed, string algorithm)
    {
        if (burst is not { } value)
        {
            return;
        }

        if (!bucketed)
        {
            errors.Add(new ConfigError(
                path,
                $"Burst applies only to token_bucket and gcra, but the algorithm is \"{algorithm}\"",
                "Remove Burst, or use Algorithm \"token_bucket\" or \"gcra\"."));
        }
        else if (value < 1)
        {
            errors.Add(new ConfigError(path, $"Burst {value} is below 1", "Use a burst of 1 or more, or leave it out to use the rate's permit count."));
        }
    }

    private static void CheckFailureStatuses(List<ConfigError> errors, string path, IReadOnlyList<string> statuses)
    {
        if (statuses.Count == 0)
        {
            errors.Add(new ConfigError(
                path,
                "Count is \"failures\" but no failure statuses are listed",
                "List the statuses that count as failures, like [\"401\", \"403\"] or [\"4xx\"]."));
            return;
        }

        for (var i = 0; i < statuses.Count; i++)
        {
            if (!IsStatusPattern(statuses[i]))
            {
                errors.Add(new ConfigError(
                    ConfigPath.Index(path, i),
                    $"\"{statuses[i]}\" is not a status code or class",
                    "Write a status code from 100 to 599 like \"401\", or a class from \"1xx\" to \"5xx\"."));
            }
        }
    }

    private static bool IsStatusPattern(string text)
    {
        var s = text.Trim();
        if (s.Length != 3 || s[0] is < '1' or > '5')
        {
            return false;
        }

        if (s[1] is 'x' or 'X')
        {
            return s[2] is 'x' or 'X';
        }

        return int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var code) && code is >= 100 and <= 599;
    }

    private static void CheckNetworks(List<ConfigError> errors, string path, IReadOnlyList<string> networks)
    {
        for (var i = 0; i < networks.Count; i++)
        {
            if (!IsNetwork(networks[i], out var reason))
            {
                errors.Add(new ConfigError(
                    ConfigPath.Index(path, i),
                    $"\"{networks[i]}\" is not an address or CIDR network{reason}",
                    "Write a network like \"10.0.0.0/8\" or \"2001:db8::/32\" (host bits zero), or a single address like \"203.0.113.7\"."));
            }
        }
    }

    /// <summary>
    /// A bare address or a CIDR network. Stricter than <see cref="IPAddress.TryParse(string?, out IPAddress?)"/>, which
    /// takes "10" for 0.0.0.10: IPv4 must be written as four dotted numbers.
    /// </summary>
    internal static bool IsNetwork(string text, out string reason)
    {
        reason = "";
        var s = text.Trim();
        var slash = s.IndexOf('/', StringComparison.Ordinal);
        var address = slash < 0 ? s : s[..slash];
        if (!IPAddress.TryParse(address, out var ip) || (ip.AddressFamily == AddressFamily.InterNetwork && address.Split('.').Length != 4))
        {
            return false;
        }

        if (slash < 0)
        {
            return true;
        }

        // IPNetwork.TryParse may accept "10.0.0.1/8" by masking the host bits; a written host part is more likely a
        // mistake (meant /32?) than an intent, so it must equal the network's base address.
        if (IPNetwork.TryParse(s, out var network) && network.BaseAddress.Equals(ip))
        {
            return true;
        }

        var maxPrefix = ip.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        if (int.TryParse(s[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var prefix) && prefix <= maxPrefix)
        {
            reason = $" (the address has bits set beyond the /{prefix} prefix)";
        }
        else
        {
            reason = $" (the prefix length must be 0 to {maxPrefix})";
        }

        return false;
    }

    private static void CheckEnum(List<ConfigError> errors, string path, string value, string[] allowed, string noun)
    {
        // The reader rejects unknown values and keeps the default, so this only fires for options built in code.
        if (!allowed.Contains(value, StringComparer.Ordinal))
        {
            errors.Add(new ConfigError(path, $"\"{value}\" is not a valid {noun}", $"Use {BulwarkConfigReader.OneOf(allowed)}.{ConfigPath.DidYouMean(value, allowed)}"));
        }
    }

    /// <summary>RFC 9110 token characters.</summary>
    private static bool IsTokenChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.' or '^' or '_' or '`' or '|' or '~';
}
