using Bulwark.Core.Policy;

namespace Bulwark.Core.Tests.Policy;

/// <summary>Configuration documents and helpers shared by the configuration tests.</summary>
internal static class ConfigJson
{
    /// <summary>A valid configuration that sets every field to a non-default value.</summary>
    public const string Full = """
        {
          // comments are allowed
          "Bulwark": {
            "Mode": "monitor",
            "TrustedProxies": [ "10.0.0.0/8", "2001:db8::/32", "203.0.113.7" ],
            "Ipv6Prefix": 56,
            "State": {
              "Store": "redis",
              "Memory": { "MaxEntries": 50000 },
              "Redis": { "Connection": "localhost:6379,ssl=true", "KeyPrefix": "edge:", "BudgetMs": 20, "FallbackShare": 0.25, "RefusalCacheEntries": 0 }
            },
            "Lists": {
              "Allow": { "Cidrs": [ "192.0.2.0/24" ], "ApiKeys": [ "k-allow" ], "Accounts": [ "ops@example.com" ] },
              "Deny": { "Cidrs": [ "198.51.100.9" ], "ApiKeys": [ "k-deny" ], "Accounts": [ "mallory" ] }
            },
            "Identity": {
              "ApiKeyHeader": "X-Key",
              "SessionCookie": "sid",
              "SessionHeader": "X-Sid",
              "AccountBodyFields": [ "login" ],
              "MaxBodyBytes": 4096
            },
            "Privacy": { "Ipv4MaskBits": 16, "Ipv6MaskBits": 32, "PseudonymKey": "secret" },
            "IpIntel": { "Database": "/var/lib/bulwark/ip.db" },
            "Routes": [
              { "Name": "login", "Methods": [ "post" ], "Path": "/api/login", "Policy": "Login", "Cost": 1 },
              { "Path": "/api/search/{**rest}", "Policy": "api", "Cost": 5 }
            ],
            "Policies": {
              "Login": {
                "Mode": "enforce",
                "FailMode": "closed",
                "Thresholds": { "Delay": 20, "Challenge": 50, "Block": 90 },
                "Delay": { "BaseMs": 100, "MaxMs": 2000 },
                "Limits": [
                  {
                    "Name": "per-account",
                    "Key": "account+ip",
                    "Rate": "5/min",
                    "Burst": 10,
                    "Algorithm": "gcra",
                    "Count": "failures",
                    "FailureStatuses": [ "401", "4xx" ],
                    "OnLimit": "delay",
                    "Tiers": [ { "When": "hosting", "Rate": "1/min", "Burst": 2 } ]
                  }
                ],
                "Signals": { "headless_browser": 40, "ua_mismatch": 0 }
              },
              "api": {
                "Limits": [
                  { "Name": "per-ip", "Rate": "100/min", "Algorithm": "sliding_window", "Count": "cost" },
                  { "Name": "inflight", "Key": "api_key", "Rate": "10/s", "Algorithm": "concurrency" }
                ]
              }
            }
          }
        }
        """;

    /// <summary>A small valid document: one policy <c>api</c> and one route to it.</summary>
    public const string Minimal = """
        { "Bulwark": { "Routes": [ { "Path": "/api/**", "Policy": "api" } ], "Policies": { "api": { "Limits": [ { "Name": "per-ip", "Rate": "60/min" } ] } } } }
        """;

    /// <summary>Wraps the body of the <c>Bulwark</c> object (single quotes stand for double quotes) and loads it.</summary>
    public static ConfigLoadResult LoadBody(string body) =>
        BulwarkConfigLoader.LoadJson("{ \"Bulwark\": { " + body.Replace('\'', '"') + " } }");

    /// <summary>A policy <c>p</c> whose only limit has the given fields (plus a name), with a route to it.</summary>
    public static ConfigLoadResult LoadLimit(string fields) =>
        LoadBody("'Routes': [ { 'Path': '/', 'Policy': 'p' } ], 'Policies': { 'p': { 'Limits': [ { 'Name': 'l', " + fields + " } ] } }");

    /// <summary>Asserts exactly one error, at <paramref name="path"/>, whose message contains <paramref name="phrase"/>.</summary>
    public static ConfigError AssertSingleError(ConfigReadResult result, string path, string phrase)
    {
        Assert.Null(result.Options);
        var error = Assert.Single(result.Errors);
        Assert.Equal(path, error.Path);
        Assert.Contains(phrase, error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.False(string.IsNullOrWhiteSpace(error.Hint));
        return error;
    }

    /// <summary>Asserts the result is valid and returns its options.</summary>
    public static BulwarkOptions AssertValid(ConfigReadResult result)
    {
        Assert.True(result.Succeeded, string.Join(Environment.NewLine, result.Errors));
        Assert.Empty(result.Errors);
        return result.Options;
    }
}
