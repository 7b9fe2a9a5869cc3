using Bulwark.Core.Policy;

namespace Bulwark.Gateway.Tests.Configuration;

/// <summary><c>Bulwark:Gateway</c> read and checked: errors name the JSON path and say how to fix it.</summary>
public sealed class GatewayConfigTests
{
    [Fact]
    public void A_full_gateway_section_reads_into_options()
    {
        var loaded = BulwarkConfigLoader.LoadJson("""
            { "Bulwark": { "Gateway": {
              "Clusters": { "api": { "Destinations": [ "http://10.0.0.5:8080", "https://api.internal/base" ], "ConnectTimeoutMs": 1000, "RequestTimeoutMs": 9000,
                                     "MaxConcurrency": 8, "QueueLimit": 16, "QueueTimeoutMs": 250, "ShedScore": 30, "HttpVersion": "2",
                                     "CircuitBreaker": { "Enabled": false, "FailureRatio": 0.3, "MinimumThroughput": 5, "SamplingDurationS": 20, "BreakDurationS": 9 } } },
              "Routes": [ { "Hosts": [ "api.example.com", "*.example.org" ], "PathPrefix": "/v1", "Cluster": "api" } ],
              "Server": { "MaxRequestBodyBytes": 2048, "MaxRequestHeaderCount": 50, "RequestHeadersTimeoutS": 10, "KeepAliveTimeoutS": 60, "MinRequestBodyBytesPerSecond": 0 },
              "Tls": { "CertificatePath": "cert.pem", "KeyPath": "key.pem" },
              "DecisionEndpoint": false
            } } }
            """);
        Assert.True(loaded.Options is not null, string.Join("\n", loaded.Errors));
        var gateway = loaded.Options!.Gateway;
        var api = gateway.Clusters["api"];
        Assert.Equal(["http://10.0.0.5:8080", "https://api.internal/base"], api.Destinations);
        Assert.Equal((1000, 9000, 8, 16, 250, 30), (api.ConnectTimeoutMs, api.RequestTimeoutMs, api.MaxConcurrency, api.QueueLimit, api.QueueTimeoutMs, api.ShedScore));
        Assert.Equal("2", api.HttpVersion);
        Assert.False(api.CircuitBreaker.Enabled);
        Assert.Equal(9, api.CircuitBreaker.BreakDurationS);
        Assert.Equal("/v1", gateway.Routes[0].PathPrefix);
        Assert.Equal(2048, gateway.Server.MaxRequestBodyBytes);
        Assert.Equal(0, gateway.Server.MinRequestBodyBytesPerSecond);
        Assert.Equal("key.pem", gateway.Tls.KeyPath);
        Assert.False(gateway.DecisionEndpoint);
    }

    [Fact]
    public void Every_mistake_is_reported_with_its_path()
    {
        var loaded = BulwarkConfigLoader.LoadJson("""
            { "Bulwark": { "Gateway": {
              "Clusters": { "api": { "Destinations": [ "ftp://x", "not a url" ], "MaxConcurency": 3, "QueueLimit": -1, "ShedScore": 150, "HttpVersion": "3",
                                     "CircuitBreaker": { "FailureRatio": 0, "MinimumThroughput": 1 } },
                            "empty": { } },
              "Routes": [ { "PathPrefix": "api", "Cluster": "nope", "Hosts": [ "x.com:80" ] }, { "Cluster": "" } ],
              "Server": { "MaxRequestBodyBytes": 0 }
            } } }
            """);
        Assert.Null(loaded.Options);
        var paths = loaded.Errors.Select(e => e.Path).ToList();
        Assert.Contains("$.Bulwark.Gateway.Clusters.api.Destinations[0]", paths);
        Assert.Contains("$.Bulwark.Gateway.Clusters.api.Destinations[1]", paths);
        Assert.Contains("$.Bulwark.Gateway.Clusters.api.MaxConcurency", paths);
        Assert.Contains("$.Bulwark.Gateway.Clusters.api.QueueLimit", paths);
        Assert.Contains("$.Bulwark.Gateway.Clusters.api.ShedScore", paths);
        Assert.Contains("$.Bulwark.Gateway.Clusters.api.HttpVersion", paths);
        Assert.Contains("$.Bulwark.Gateway.Clusters.api.CircuitBreaker.FailureRatio", paths);
        Assert.Contains("$.Bulwark.Gateway.Clusters.api.CircuitBreaker.MinimumThroughput", paths);
        Assert.Contains("$.Bulwark.Gateway.Clusters.empty.Destinations", paths);
        Assert.Contains("$.Bulwark.Gateway.Routes[0].PathPrefix", paths);
        Assert.Contains("$.Bulwark.Gateway.Routes[0].Cluster", paths);
        Assert.Contains("$.Bulwark.Gateway.Routes[0].Hosts[0]", paths);
        Assert.Contains("$.Bulwark.Gateway.Routes[1].Cluster", paths);
        Assert.Contains("$.Bulwark.Gateway.Server.MaxRequestBodyBytes", paths);
        Assert.Contains(loaded.Errors, e => e.Path.EndsWith("MaxConcurency", StringComparison.Ordinal) && e.ToString().Contains("MaxConcurrency", StringComparison.Ordinal));
        Assert.All(loaded.Errors, e => Assert.False(string.IsNullOrWhiteSpace(e.ToString())));
    }
}
