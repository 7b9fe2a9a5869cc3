namespace Bulwark.Core.Policy;

/// <summary>Checks of <c>Bulwark:Gateway</c> (docs/gateway.md).</summary>
public static partial class BulwarkConfigValidator
{
    private static void CheckGateway(List<ConfigError> errors, string path, GatewayOptions gateway)
    {
        var clusters = ConfigPath.Property(path, "Clusters");
        foreach (var (name, cluster) in gateway.Clusters)
        {
            CheckGatewayCluster(errors, ConfigPath.Property(clusters, name), cluster);
        }

        var routes = ConfigPath.Property(path, "Routes");
        for (var i = 0; i < gateway.Routes.Count; i++)
        {
            var route = gateway.Routes[i];
            var p = ConfigPath.Index(routes, i);
            if (string.IsNullOrEmpty(route.Cluster))
            {
                errors.Add(new ConfigError(ConfigPath.Property(p, "Cluster"), "the route names no cluster",
                    "Set \"Cluster\" to the name of an entry of Gateway:Clusters, for example \"Cluster\": \"api\"."));
            }
            else if (!gateway.Clusters.ContainsKey(route.Cluster))
            {
                var known = gateway.Clusters.Keys.ToArray();
                errors.Add(new ConfigError(ConfigPath.Property(p, "Cluster"), $"cluster \"{route.Cluster}\" is not defined",
                    known.Length == 0
                        ? "Define it under Gateway:Clusters: \"Clusters\": { \"" + route.Cluster + "\": { \"Destinations\": [ \"http://127.0.0.1:8080\" ] } }."
                        : $"Use one of the defined clusters: {string.Join(", ", known)}."));
            }

            if (!route.PathPrefix.StartsWith('/'))
            {
                errors.Add(new ConfigError(ConfigPath.Property(p, "PathPrefix"), $"path prefix \"{route.PathPrefix}\" does not start with '/'",
                    "Write the prefix as an absolute path such as \"/\" or \"/api\"."));
            }

            for (var h = 0; h < route.Hosts.Count; h++)
            {
                var host = route.Hosts[h];
                if (string.IsNullOrWhiteSpace(host) || host.Contains(':', StringComparison.Ordinal) || host.Contains('/', StringComparison.Ordinal)
                    || (host.Contains('*', StringComparison.Ordinal) && !(host.StartsWith("*.", StringComparison.Ordinal) && host.IndexOf('*', 1) < 0)))
                {
                    errors.Add(new ConfigError(ConfigPath.Index(ConfigPath.Property(p, "Hosts"), h), $"\"{host}\" is not a host name",
                        "Write a host name without scheme or port, such as \"api.example.com\", or \"*.example.com\" for its subdomains."));
                }
            }
        }

        var server = ConfigPath.Property(path, "Server");
        var s = gateway.Server;
        Positive(errors, ConfigPath.Property(server, "MaxRequestBodyBytes"), s.MaxRequestBodyBytes, "10485760 (10 MiB)");
        Positive(errors, ConfigPath.Property(server, "MaxRequestHeadersTotalBytes"), s.MaxRequestHeadersTotalBytes, "32768");
        Positive(errors, ConfigPath.Property(server, "MaxRequestHeaderCount"), s.MaxRequestHeaderCount, "100");
        Positive(errors, ConfigPath.Property(server, "RequestHeadersTimeoutS"), s.RequestHeadersTimeoutS, "30");
        Positive(errors, ConfigPath.Property(server, "KeepAliveTimeoutS"), s.KeepAliveTimeoutS, "130");
        if (s.MinRequestBodyGraceS < 2)
        {
            errors.Add(new ConfigError(ConfigPath.Property(server, "MinRequestBodyGraceS"), $"grace period {s.MinRequestBodyGraceS} s is shorter than 2 s",
                "Kestrel needs a grace period longer than 1 second; use 2 or more (default 5)."));
        }
        if (s.MinRequestBodyBytesPerSecond < 0 || double.IsNaN(s.MinRequestBodyBytesPerSecond))
        {
            errors.Add(new ConfigError(ConfigPath.Property(server, "MinRequestBodyBytesPerSecond"), "the rate is negative",
                "Use 0 to turn the check off, or a rate in bytes per second such as 240."));
        }

        if (s.MaxConcurrentConnections < 0)
        {
            errors.Add(new ConfigError(ConfigPath.Property(server, "MaxConcurrentConnections"), "the limit is negative", "Use 0 for no limit, or a positive number of connections."));
        }

        var tokens = ConfigPath.Property(ConfigPath.Property(path, "Admin"), "Tokens");
        for (var i = 0; i < gateway.Admin.Tokens.Count; i++)
        {
            var token = gateway.Admin.Tokens[i];
            var p = ConfigPath.Index(tokens, i);
            if (string.IsNullOrWhiteSpace(token.Name))
            {
                errors.Add(new ConfigError(ConfigPath.Property(p, "Name"), "the token has no name", "Give each token a name for the logs, such as \"Name\": \"ops-laptop\"."));
            }

            if (token.Sha256.Length != 64 || !token.Sha256.All(char.IsAsciiHexDigit))
            {
                errors.Add(new ConfigError(ConfigPath.Property(p, "Sha256"), "not a SHA-256 in hex (64 hex digits)",
                    "Store the token's hash, not the token: printf %s \"$TOKEN\" | sha256sum."));
            }

            CheckEnum(errors, ConfigPath.Property(p, "Role"), token.Role, BulwarkConfigReader.AdminRoles, "role");
        }

        var tls = ConfigPath.Property(path, "Tls");
        if (gateway.Tls.KeyPath is not null && gateway.Tls.CertificatePath is null)
        {
            errors.Add(new ConfigError(ConfigPath.Property(tls, "CertificatePath"), "a key is given without a certificate",
                "Set CertificatePath to the PEM certificate that goes with KeyPath."));
        }
    }

    private static void CheckGatewayCluster(List<ConfigError> errors, string path, GatewayClusterOptions cluster)
    {
        var destinations = ConfigPath.Property(path, "Destinations");
        if (cluster.Destinations.Count == 0)
        {
            errors.Add(new ConfigError(destinations, "the cluster has no destinations",
                "List the upstream servers' base URLs: \"Destinations\": [ \"http://127.0.0.1:8080\" ]."));
        }

        for (var i = 0; i < cluster.Destinations.Count; i++)
        {
            var text = cluster.Destinations[i];
            if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
            {
                errors.Add(new ConfigError(ConfigPath.Index(destinations, i), $"\"{text}\" is not an http or https base URL",
                    "Write a URL such as \"http://10.0.0.5:8080\" or \"https://api.internal\" (a path prefix is allowed, a query is not)."));
            }
        }

        Positive(errors, ConfigPath.Property(path, "ConnectTimeoutMs"), cluster.ConnectTimeoutMs, "5000");
        Positive(errors, ConfigPath.Property(path, "RequestTimeoutMs"), cluster.RequestTimeoutMs, "30000");
        Positive(errors, ConfigPath.Property(path, "PooledConnectionIdleTimeoutS"), cluster.PooledConnectionIdleTimeoutS, "60");
        Positive(errors, ConfigPath.Property(path, "QueueTimeoutMs"), cluster.QueueTimeoutMs, "5000");
        NotNegative(errors, ConfigPath.Property(path, "MaxConcurrency"), cluster.MaxConcurrency, "0 for no limit, or 256");
        NotNegative(errors, ConfigPath.Property(path, "QueueLimit"), cluster.QueueLimit, "0 to refuse at once when full, or 512");
        if (cluster.ShedScore is < 0 or > 100)
        {
            errors.Add(new ConfigError(ConfigPath.Property(path, "ShedScore"), $"shed score {cluster.ShedScore} is outside 0–100",
                "Use a risk score from 1 to 100 (default 50), or 0 to turn load shedding off."));
        }

        if (cluster.HttpVersion is not ("1.1" or "2"))
        {
            errors.Add(new ConfigError(ConfigPath.Property(path, "HttpVersion"), $"HTTP version \"{cluster.HttpVersion}\" is not supported",
                "Use \"1.1\" (default) or \"2\" (HTTP/2: h2c with prior knowledge on http:// destinations, ALPN on https://; needed for gRPC)."));
        }

        var breaker = ConfigPath.Property(path, "CircuitBreaker");
        var b = cluster.CircuitBreaker;
        if (b.FailureRatio is <= 0 or > 1 || double.IsNaN(b.FailureRatio))
        {
            errors.Add(new ConfigError(ConfigPath.Property(breaker, "FailureRatio"), $"failure ratio {b.FailureRatio} is outside (0, 1]",
                "Use a share such as 0.5: the circuit opens when half of the sampled requests fail."));
        }

        if (b.MinimumThroughput < 2)
        {
            errors.Add(new ConfigError(ConfigPath.Property(breaker, "MinimumThroughput"), $"minimum throughput {b.MinimumThroughput} is below 2",
                "Use at least 2 requests (default 10) so one failure cannot open the circuit."));
        }

        if (b.SamplingDurationS < 1)
        {
            errors.Add(new ConfigError(ConfigPath.Property(breaker, "SamplingDurationS"), "the sampling window is shorter than 1 s", "Use a window of at least 1 second (default 10)."));
        }

        if (b.BreakDurationS < 1)
        {
            errors.Add(new ConfigError(ConfigPath.Property(breaker, "BreakDurationS"), "the break is shorter than 1 s", "Use a break of at least 1 second (default 15)."));
        }
    }

    private static void Positive(List<ConfigError> errors, string path, long value, string example)
    {
        if (value <= 0)
        {
            errors.Add(new ConfigError(path, $"{value} is not a positive number", $"Use a positive number (default {example})."));
        }
    }

    private static void NotNegative(List<ConfigError> errors, string path, long value, string example)
    {
        if (value < 0)
        {
            errors.Add(new ConfigError(path, $"{value} is negative", $"Use {example}."));
        }
    }
}
