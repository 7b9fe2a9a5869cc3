using Microsoft.Extensions.Configuration;

namespace Bulwark.Core.Policy;

/// <summary>Reading of <c>Bulwark:Gateway</c> (docs/gateway.md).</summary>
public static partial class BulwarkConfigReader
{
    private static readonly string[] GatewayKeys = ["Clusters", "Routes", "Server", "Tls", "DecisionEndpoint", "Admin"];
    private static readonly string[] GatewayAdminKeys = ["Tokens", "AllowRemote"];
    private static readonly string[] GatewayAdminTokenKeys = ["Name", "Role", "Sha256"];

    /// <summary>The admin roles, weakest first.</summary>
    internal static readonly string[] AdminRoles = ["viewer", "operator", "admin"];
    private static readonly string[] GatewayClusterKeys =
        ["Destinations", "ConnectTimeoutMs", "RequestTimeoutMs", "PooledConnectionIdleTimeoutS", "MaxConcurrency", "QueueLimit", "QueueTimeoutMs", "ShedScore", "HttpVersion", "CircuitBreaker"];
    private static readonly string[] GatewayBreakerKeys = ["Enabled", "FailureRatio", "MinimumThroughput", "SamplingDurationS", "BreakDurationS"];
    private static readonly string[] GatewayRouteKeys = ["Hosts", "PathPrefix", "Cluster"];
    private static readonly string[] GatewayServerKeys =
        ["MaxRequestBodyBytes", "MaxRequestHeadersTotalBytes", "MaxRequestHeaderCount", "RequestHeadersTimeoutS", "KeepAliveTimeoutS", "MinRequestBodyBytesPerSecond", "MinRequestBodyGraceS", "MaxConcurrentConnections", "InlineSocketCompletions"];
    private static readonly string[] GatewayTlsKeys = ["CertificatePath", "KeyPath", "Password"];

    private sealed partial class Walker
    {
        private GatewayOptions ReadGateway(IConfigurationSection section, string path)
        {
            var o = new GatewayOptions();
            foreach (var (key, child, p) in Fields(section, path, GatewayKeys, "the gateway settings"))
            {
                o = key switch
                {
                    "Clusters" => o with { Clusters = ReadGatewayClusters(child, p) ?? o.Clusters },
                    "Routes" => o with { Routes = ObjectList(child, p, ReadGatewayRoute, "gateway routes") ?? o.Routes },
                    "Server" => o with { Server = ReadGatewayServer(child, p) },
                    "Tls" => o with { Tls = ReadGatewayTls(child, p) },
                    "DecisionEndpoint" => o with { DecisionEndpoint = Bool(child, p) ?? o.DecisionEndpoint },
                    "Admin" => o with { Admin = ReadGatewayAdmin(child, p) },
                    _ => o,
                };
            }

            return o;
        }

        private Dictionary<string, GatewayClusterOptions>? ReadGatewayClusters(IConfigurationSection section, string path)
        {
            var entries = Entries(section, path, "clusters", "\"Clusters\": { \"api\": { \"Destinations\": [ \"http://127.0.0.1:8080\" ] } }");
            if (entries is null)
            {
                return null;
            }

            var clusters = new Dictionary<string, GatewayClusterOptions>(StringComparer.OrdinalIgnoreCase);
            foreach (var child in entries)
            {
                clusters[child.Key] = ReadGatewayCluster(child, ConfigPath.Property(path, child.Key));
            }

            return clusters;
        }

        private GatewayClusterOptions ReadGatewayCluster(IConfigurationSection section, string path)
        {
            var o = new GatewayClusterOptions();
            foreach (var (key, child, p) in Fields(section, path, GatewayClusterKeys, "a cluster"))
            {
                o = key switch
                {
                    "Destinations" => o with { Destinations = StringList(child, p) ?? o.Destinations },
                    "ConnectTimeoutMs" => o with { ConnectTimeoutMs = Int(child, p) ?? o.ConnectTimeoutMs },
                    "RequestTimeoutMs" => o with { RequestTimeoutMs = Int(child, p) ?? o.RequestTimeoutMs },
                    "PooledConnectionIdleTimeoutS" => o with { PooledConnectionIdleTimeoutS = Int(child, p) ?? o.PooledConnectionIdleTimeoutS },
                    "MaxConcurrency" => o with { MaxConcurrency = Int(child, p) ?? o.MaxConcurrency },
                    "QueueLimit" => o with { QueueLimit = Int(child, p) ?? o.QueueLimit },
                    "QueueTimeoutMs" => o with { QueueTimeoutMs = Int(child, p) ?? o.QueueTimeoutMs },
                    "ShedScore" => o with { ShedScore = Int(child, p) ?? o.ShedScore },
                    "HttpVersion" => o with { HttpVersion = String(child, p) ?? o.HttpVersion },
                    "CircuitBreaker" => o with { CircuitBreaker = ReadGatewayBreaker(child, p) },
                    _ => o,
                };
            }

            return o;
        }

        private GatewayCircuitBreakerOptions ReadGatewayBreaker(IConfigurationSection section, string path)
        {
            var o = new GatewayCircuitBreakerOptions();
            foreach (var (key, child, p) in Fields(section, path, GatewayBreakerKeys, "the circuit breaker settings"))
            {
                o = key switch
                {
                    "Enabled" => o with { Enabled = Bool(child, p) ?? o.Enabled },
                    "FailureRatio" => o with { FailureRatio = Double(child, p) ?? o.FailureRatio },
                    "MinimumThroughput" => o with { MinimumThroughput = Int(child, p) ?? o.MinimumThroughput },
                    "SamplingDurationS" => o with { SamplingDurationS = Int(child, p) ?? o.SamplingDurationS },
                    "BreakDurationS" => o with { BreakDurationS = Int(child, p) ?? o.BreakDurationS },
                    _ => o,
                };
            }

            return o;
        }

        private GatewayRouteOptions ReadGatewayRoute(IConfigurationSection section, string path)
        {
            var o = new GatewayRouteOptions();
            foreach (var (key, child, p) in Fields(section, path, GatewayRouteKeys, "a gateway route"))
            {
                o = key switch
                {
                    "Hosts" => o with { Hosts = StringList(child, p) ?? o.Hosts },
                    "PathPrefix" => o with { PathPrefix = String(child, p) ?? o.PathPrefix },
                    "Cluster" => o with { Cluster = String(child, p) ?? o.Cluster },
                    _ => o,
                };
            }

            return o;
        }

        private GatewayServerOptions ReadGatewayServer(IConfigurationSection section, string path)
        {
            var o = new GatewayServerOptions();
            foreach (var (key, child, p) in Fields(section, path, GatewayServerKeys, "the server limits"))
            {
                o = key switch
                {
                    "MaxRequestBodyBytes" => o with { MaxRequestBodyBytes = Long(child, p) ?? o.MaxRequestBodyBytes },
                    "MaxRequestHeadersTotalBytes" => o with { MaxRequestHeadersTotalBytes = Int(child, p) ?? o.MaxRequestHeadersTotalBytes },
                    "MaxRequestHeaderCount" => o with { MaxRequestHeaderCount = Int(child, p) ?? o.MaxRequestHeaderCount },
                    "RequestHeadersTimeoutS" => o with { RequestHeadersTimeoutS = Int(child, p) ?? o.RequestHeadersTimeoutS },
                    "KeepAliveTimeoutS" => o with { KeepAliveTimeoutS = Int(child, p) ?? o.KeepAliveTimeoutS },
                    "MinRequestBodyBytesPerSecond" => o with { MinRequestBodyBytesPerSecond = Double(child, p) ?? o.MinRequestBodyBytesPerSecond },
                    "MinRequestBodyGraceS" => o with { MinRequestBodyGraceS = Int(child, p) ?? o.MinRequestBodyGraceS },
                    "MaxConcurrentConnections" => o with { MaxConcurrentConnections = Long(child, p) ?? o.MaxConcurrentConnections },
                    "InlineSocketCompletions" => o with { InlineSocketCompletions = Bool(child, p) ?? o.InlineSocketCompletions },
                    _ => o,
                };
            }

            return o;
        }

        private GatewayAdminOptions ReadGatewayAdmin(IConfigurationSection section, string path)
        {
            var o = new GatewayAdminOptions();
            foreach (var (key, child, p) in Fields(section, path, GatewayAdminKeys, "the admin API settings"))
            {
                o = key switch
                {
                    "Tokens" => o with { Tokens = ObjectList(child, p, ReadGatewayAdminToken, "admin tokens") ?? o.Tokens },
                    "AllowRemote" => o with { AllowRemote = Bool(child, p) ?? o.AllowRemote },
                    _ => o,
                };
            }

            return o;
        }

        private GatewayAdminTokenOptions ReadGatewayAdminToken(IConfigurationSection section, string path)
        {
            var o = new GatewayAdminTokenOptions();
            foreach (var (key, child, p) in Fields(section, path, GatewayAdminTokenKeys, "an admin token"))
            {
                o = key switch
                {
                    "Name" => o with { Name = String(child, p) ?? o.Name },
                    "Role" => o with { Role = Enum(child, p, AdminRoles, "role") ?? o.Role },
                    "Sha256" => o with { Sha256 = String(child, p) ?? o.Sha256 },
                    _ => o,
                };
            }

            return o;
        }

        private GatewayTlsOptions ReadGatewayTls(IConfigurationSection section, string path)
        {
            var o = new GatewayTlsOptions();
            foreach (var (key, child, p) in Fields(section, path, GatewayTlsKeys, "the TLS settings"))
            {
                o = key switch
                {
                    "CertificatePath" => o with { CertificatePath = NullIfEmpty(String(child, p)) },
                    "KeyPath" => o with { KeyPath = NullIfEmpty(String(child, p)) },
                    "Password" => o with { Password = NullIfEmpty(String(child, p)) },
                    _ => o,
                };
            }

            return o;
        }
    }
}
