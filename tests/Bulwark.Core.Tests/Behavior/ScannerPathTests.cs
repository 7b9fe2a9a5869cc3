using Bulwark.Core.Behavior;
using Bulwark.Core.Decisions;
using Bulwark.Core.Lists;
using Bulwark.Core.Policy;
using Bulwark.Core.Tests.Policy;
using static Bulwark.Core.Tests.Behavior.BehaviorKit;
using static Bulwark.Core.Tests.Engine.EngineFixture;

namespace Bulwark.Core.Tests.Behavior;

public class ScannerPathTests
{
    private static string Config(string honeypot = "\"ScannerPaths\": true", string routes = "") => $$"""
        { "Behavior": { "Honeypot": { {{honeypot}}, "BanSeconds": 600, "ClusterBanSeconds": 0 } },
          "Routes": [ {{routes}} { "Path": "/api/**", "Policy": "api" }, { "Methods": [ "GET" ], "Path": "/", "Policy": "web" } ],
          "Policies": { "api": { }, "web": { } } }
        """;

    // What real scanners ask for on any address (from public honeypot logs: Mirai/Mozi, nuclei templates, zgrab, WordPress bots).
    public static TheoryData<string> ScannerProbes => new()
    {
        "/.env", "/api/.env", "/backend/.env", "/.git/config", "/.git/HEAD", "/.aws/credentials", "/.DS_Store", "/wp-login.php",
        "/wp-admin/", "/wp-admin/setup-config.php", "/blog/wp-login.php", "/xmlrpc.php", "/phpmyadmin/index.php", "/phpMyAdmin/",
        "/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php", "/actuator/env", "/actuator/heapdump", "/server-status",
        "/cgi-bin/luci/;stok=/locale", "/boaform/admin/formLogin", "/HNAP1/", "/owa/auth/logon.aspx", "/solr/admin/info/system",
        "/_profiler/phpinfo", "/_ignition/execute-solution", "/admin/config.php", "/backup.zip", "/db.sql",
    };

    // What people, apps, load balancers and crawlers ask for: never a honeypot.
    public static TheoryData<string> RealPaths => new()
    {
        "/", "/admin", "/admin/users", "/login", "/console", "/config.json", "/assets/config.json", "/.well-known/security.txt",
        "/.well-known/openid-configuration", "/.well-known/acme-challenge/abc", "/actuator/health", "/actuator/info", "/robots.txt",
        "/sitemap.xml", "/favicon.ico", "/api/products/42", "/api/search", "/api/auth/login", "/api/account", "/api/debug",
        "/static/app.js", "/environment", "/api/env", "/api/git/commits", "/wp", "/status", "/health", "/swagger/index.html", "/graphql",
    };

    [Theory]
    [MemberData(nameof(ScannerProbes))]
    public void The_built_in_list_holds_what_scanners_probe(string path) => Assert.True(ScannerPathList.BuiltIn.IsMatch(path, out _), path);

    [Theory]
    [MemberData(nameof(RealPaths))]
    public void The_built_in_list_leaves_out_what_real_clients_ask_for(string path) => Assert.False(ScannerPathList.BuiltIn.IsMatch(path, out _), path);

    [Fact]
    public async Task A_scanner_path_no_route_covers_is_decided_blocks_and_bans_the_scanner_on_every_route()
    {
        var engine = new BulwarkEngine(Options(Config()));
        Assert.Equal(CompiledConfiguration.ScannerPolicyName, engine.ResolvePolicy("GET", "/.env", null).Policy!.Name);

        var hit = Run(engine, Script("GET", "/.env", "198.51.100.7", T0, LibraryJa4, userAgent: "Mozilla/5.0 zgrab/0.x"), status: 404);
        Assert.True(hit.Covered);
        Assert.Equal(DecisionAction.Block, hit.Action);
        Assert.Equal("honeypot", hit.Policy);
        Assert.StartsWith("scanner path .env requested; IP group banned for 600 s", hit.Reasons.Single(r => r.Signal == BehaviorSignals.Honeypot).Detail, StringComparison.Ordinal);
        Assert.Contains(engine.Bans.List(T0), b => b.Target == BanTarget.Ip && b.Value == "198.51.100.7");

        // Its next probes, on the list or under a route, are refused by the ban.
        Assert.Equal(ReasonCodes.Banned, Run(engine, Script("GET", "/wp-login.php", "198.51.100.7", T0.AddSeconds(1), LibraryJa4)).ReasonCode);
        Assert.Equal(ReasonCodes.Banned, Run(engine, Script("GET", "/api/admin/users", "198.51.100.7", T0.AddSeconds(2), LibraryJa4)).ReasonCode);

        // Under a catch-all route the list still applies; a path nobody lists and no route covers stays not covered.
        Assert.True(Has(Run(engine, Script("GET", "/api/v1/.env", "203.0.113.9", T0.AddSeconds(3), LibraryJa4)), BehaviorSignals.Honeypot));
        Assert.False((await engine.Decide(Request("GET", "/favicon.ico", ip: "203.0.113.10", at: T0.AddSeconds(4)))).Covered);
    }

    [Fact]
    public async Task A_configured_route_naming_the_path_wins_and_NotHoneypots_takes_entries_out()
    {
        var engine = new BulwarkEngine(Options(Config(
            "\"ScannerPaths\": true, \"NotHoneypots\": [ \"/wp-admin/**\" ]",
            "{ \"Path\": \"/wp-login.php\", \"Policy\": \"web\" }, { \"Path\": \"/files/{name}\", \"Policy\": \"web\" },")));
        var browser = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
        Assert.Equal(DecisionAction.Allow, Run(engine, Browser("GET", "/wp-login.php", "203.0.113.20", T0, browser)).Action);
        Assert.Equal(DecisionAction.Allow, Run(engine, Browser("GET", "/files/.DS_Store", "203.0.113.21", T0, browser)).Action);
        Assert.False((await engine.Decide(Browser("GET", "/wp-admin/", "203.0.113.22", T0, browser))).Covered);
        Assert.Empty(engine.Bans.List(T0));

        // The application's own endpoint metadata (a policy named by the middleware) also wins.
        var template = Browser("GET", "/.env", "203.0.113.23", T0, browser);
        var declared = new RequestContext
        {
            Timestamp = template.Timestamp, ClientIp = template.ClientIp, Method = template.Method, Path = template.Path,
            Headers = template.Headers, Tls = template.Tls, PolicyName = "web",
        };
        Assert.Equal(DecisionAction.Allow, Run(engine, declared).Action);
    }

    [Fact]
    public void A_scanner_path_bans_the_address_but_never_the_fingerprint_cluster_real_clients_share()
    {
        // Scanners run python-requests, Go and okhttp like real integrations and apps: banning their cluster would refuse those.
        var engine = new BulwarkEngine(Options(Config().Replace("\"ClusterBanSeconds\": 0", "\"ClusterBanSeconds\": 600", StringComparison.Ordinal)));
        Run(engine, Script("GET", "/.git/config", "198.51.100.7", T0, LibraryJa4));
        Assert.DoesNotContain(engine.Bans.List(T0), b => b.Target == BanTarget.Fingerprint);
        var app = Run(engine, Script("GET", "/api/products/1", "203.0.113.60", T0.AddSeconds(1), LibraryJa4));
        Assert.Equal(DecisionAction.Allow, app.Action);
        Assert.False(Has(app, BehaviorSignals.BannedCluster));
    }

    [Fact]
    public void Scanner_paths_are_off_unless_asked_for()
    {
        var engine = new BulwarkEngine(Options(Config("\"Routes\": []")));
        Assert.Null(engine.ResolvePolicy("GET", "/.env", null).Policy);
        Assert.False(Has(Run(engine, Script("GET", "/api/.env", "198.51.100.7", T0, LibraryJa4)), BehaviorSignals.Honeypot));
    }

    [Fact]
    public void A_policy_named_honeypot_decides_scanner_paths_for_example_in_monitor_mode()
    {
        var engine = new BulwarkEngine(Options(Config().Replace("\"web\": { }", "\"web\": { }, \"honeypot\": { \"Mode\": \"monitor\" }", StringComparison.Ordinal)));
        var hit = Run(engine, Script("GET", "/.git/config", "198.51.100.7", T0, LibraryJa4));
        Assert.False(hit.Enforced);
        Assert.Empty(engine.Bans.List(T0));
    }

    [Fact]
    public void ScannerPathsFile_replaces_the_built_in_list()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, """{ "version": 7, "segments": [ { "name": "secrets.txt" } ], "paths": [ { "pattern": "/old-admin/**" } ] }""");
            var engine = new BulwarkEngine(Options(Config($"\"ScannerPaths\": true, \"ScannerPathsFile\": {System.Text.Json.JsonSerializer.Serialize(file)}")));
            Assert.Equal(7, engine.Configuration.ScannerPaths!.Version);
            Assert.True(Has(Run(engine, Script("GET", "/x/secrets.txt", "198.51.100.7", T0, LibraryJa4)), BehaviorSignals.Honeypot));
            Assert.True(Has(Run(engine, Script("GET", "/old-admin/login", "198.51.100.8", T0, LibraryJa4)), BehaviorSignals.Honeypot));
            Assert.Null(engine.ResolvePolicy("GET", "/.env", null).Policy);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("\"ScannerPathsFile\": \"/nonexistent/scanner.json\"", "$.Bulwark.Behavior.Honeypot.ScannerPathsFile", "does not exist")]
    [InlineData("\"NotHoneypots\": [ \"wp-admin\" ]", "$.Bulwark.Behavior.Honeypot.NotHoneypots[0]", "does not start with '/'")]
    [InlineData("\"ScannerPaths\": \"yes\"", "$.Bulwark.Behavior.Honeypot.ScannerPaths", "true or false")]
    public void Configuration_errors_name_their_key(string honeypot, string path, string phrase)
    {
        var loaded = BulwarkConfigLoader.LoadJson("{\"Bulwark\":" + Config(honeypot) + "}");
        ConfigJson.AssertSingleError(loaded, path, phrase);
    }

    [Fact]
    public void An_invalid_list_file_is_refused_with_what_is_wrong()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, """{ "version": 1, "paths": [ { "pattern": "/**" } ] }""");
            var loaded = BulwarkConfigLoader.LoadJson("{\"Bulwark\":" + Config($"\"ScannerPaths\": true, \"ScannerPathsFile\": {System.Text.Json.JsonSerializer.Serialize(file)}") + "}");
            var error = ConfigJson.AssertSingleError(loaded, "$.Bulwark.Behavior.Honeypot.ScannerPathsFile", "is invalid");
            Assert.Contains("literal segment", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
