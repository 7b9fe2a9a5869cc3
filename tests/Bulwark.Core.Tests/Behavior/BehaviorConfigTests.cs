using Bulwark.Core.Behavior;
using Bulwark.Core.Policy;
using Bulwark.Core.Tests.Data;

namespace Bulwark.Core.Tests.Behavior;

public class BehaviorConfigTests
{
    private static ConfigLoadResult Load(string bulwark) => BulwarkConfigLoader.LoadJson("{\"Bulwark\":" + bulwark + "}");

    [Fact]
    public void Every_key_is_read()
    {
        var loaded = Load("""
            { "Behavior": { "Enabled": true, "MaxActors": 5000, "MaxGroups": 6000, "ActorTtlSeconds": 60,
                "Velocity": { "Factor": 3, "WindowSeconds": 5, "WarmupWindows": 4, "Alpha": 0.2, "MinRatePerSecond": 2, "MinShare": 0.3, "ShareFactor": 4, "MinClusterRequests": 10, "TrackedClusters": 32 },
                "Honeypot": { "Routes": [ "/trap" ], "BanSeconds": 10, "ClusterBanSeconds": 0 },
                "Offenders": { "BlocksBeforeBan": 2, "WindowSeconds": 30, "BanSeconds": 5, "MaxBanSeconds": 50, "MemorySeconds": 500 } },
              "Routes": [ { "Path": "/**", "Policy": "p" } ],
              "Policies": { "p": { "Behavior": {
                "Sequences": [ { "Route": "/b", "After": [ "/a" ], "MinDwellMs": 10, "WithinSeconds": 20 } ],
                "Timing": { "Enabled": false, "MinIntervals": 5, "MaxCv": 0.2, "MaxMeanSeconds": 30, "BurstRequests": 6, "BurstMs": 500, "SkipApiKeys": false },
                "Enumeration": { "Enabled": false, "SkipApiKeys": false, "SequentialRun": 7, "MaxStep": 2, "NotFoundRatio": 0.6, "MinObserved": 12, "DistinctResources": 90, "DistinctWindowSeconds": 60, "NearLimitRun": 9 },
                "Stuffing": { "Enabled": true, "PasswordField": "pass", "WindowSeconds": 60, "AccountsPerIp": 3, "AccountsPerSubnet": 4, "AccountsPerAsn": 5,
                              "AccountsPerCluster": 6, "AccountsPerPassword": 7, "FailureRatio": 0.7, "MinAttempts": 8, "FailureStatuses": [ 400 ] },
                "Velocity": false,
                "ApiKeys": { "Enabled": false, "WindowSeconds": 600, "RateFactor": 5, "MinRequests": 9, "NewIps": 4, "ErrorRatio": 0.4, "NewCountries": 2 } } } } }
            """);
        Assert.True(loaded.Options is not null, string.Join("\n", loaded.Errors));
        var behavior = loaded.Options!.Behavior;
        Assert.Equal(5000, behavior.MaxActors);
        Assert.Equal(32, behavior.Velocity.TrackedClusters);
        Assert.Equal(["/trap"], behavior.Honeypot.Routes);
        Assert.Equal(500, behavior.Offenders.MemorySeconds);
        var policy = loaded.Options.Policies["p"].Behavior;
        Assert.Equal("/b", policy.Sequences[0].Route);
        Assert.False(policy.Timing.Enabled);
        Assert.Equal(9, policy.Enumeration.NearLimitRun);
        Assert.Equal([400], policy.Stuffing.FailureStatuses);
        Assert.False(policy.Velocity);
        Assert.Equal(2, policy.ApiKeys.NewCountries);
    }

    [Fact]
    public void The_default_engine_runs_every_behavioural_detector_unless_turned_off()
    {
        var on = new BulwarkEngine(Load("""{ "Routes": [ { "Path": "/**", "Policy": "p" } ], "Policies": { "p": { } } }""").Options!);
        Type[] expected =
        [
            typeof(HoneypotDetector), typeof(SequenceDetector), typeof(TimingDetector), typeof(EnumerationDetector),
            typeof(StuffingDetector), typeof(VelocityDetector), typeof(ApiKeyMisuseDetector), typeof(Core.Scoring.RepeatOffenderDetector),
        ];
        Assert.All(expected, type => Assert.Single(on.Detectors, d => d.GetType() == type));
        var off = new BulwarkEngine(Load("""{ "Behavior": { "Enabled": false }, "Routes": [ { "Path": "/**", "Policy": "p" } ], "Policies": { "p": { } } }""").Options!);
        Assert.DoesNotContain(off.Detectors, d => expected.Contains(d.GetType()));
    }

    [Fact]
    public void Unknown_keys_and_bad_values_name_their_path()
    {
        var loaded = Load("""
            { "Behavior": { "MaxActor": 5, "Velocity": { "Factor": 0.5 }, "Honeypot": { "Routes": [ "trap" ] } },
              "Routes": [ { "Path": "/**", "Policy": "p" } ],
              "Policies": { "p": { "Behavior": { "Sequences": [ { "Route": "/b", "After": [] } ], "Timing": { "MinIntervals": 9 }, "Stufing": { } } } } }
            """);
        Assert.Null(loaded.Options);
        var paths = loaded.Errors.Select(e => e.Path).ToArray();
        Assert.Contains("$.Bulwark.Behavior.MaxActor", paths);
        Assert.Contains(loaded.Errors, e => e.Path == "$.Bulwark.Behavior.MaxActor" && e.Hint.Contains("MaxActors", StringComparison.Ordinal));
        Assert.Contains("$.Bulwark.Behavior.Velocity.Factor", paths);
        Assert.Contains("$.Bulwark.Behavior.Honeypot.Routes[0]", paths);
        Assert.Contains("$.Bulwark.Policies.p.Behavior.Sequences[0].After", paths);
        Assert.Contains("$.Bulwark.Policies.p.Behavior.Timing.MinIntervals", paths);
        Assert.Contains(loaded.Errors, e => e.Path == "$.Bulwark.Policies.p.Behavior.Stufing" && e.Hint.Contains("Stuffing", StringComparison.Ordinal));
    }

    [Fact]
    public void The_sample_policy_protects_the_demo_with_behaviour()
    {
        var loaded = BulwarkConfigLoader.LoadFile(Path.Combine(TestData.RepositoryRoot, "samples", "bulwark.json"));
        Assert.True(loaded.Options is not null, string.Join("\n", loaded.Errors));
        var options = loaded.Options!;
        Assert.Contains("/api/admin/export", options.Behavior.Honeypot.Routes);
        Assert.True(options.Policies["login"].Behavior.Stuffing.Enabled);
        Assert.Contains(options.Policies["api"].Behavior.Sequences, s => s.Route == "/api/account/select" && s.After.Contains("/api/auth/login"));
        Assert.Equal(80, options.Policies["search"].Thresholds.Challenge);
        Assert.Equal(95, options.Policies["search"].Thresholds.Block);
    }
}
