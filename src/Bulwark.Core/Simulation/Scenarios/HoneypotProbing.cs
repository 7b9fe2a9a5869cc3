namespace Bulwark.Core.Simulation.Scenarios;

/// <summary>Vulnerability scanners probing paths no user of the shop ever asks for.</summary>
internal sealed class HoneypotProbing : Scenario
{
    private static readonly string[] Paths =
    [
        "/admin", "/.env", "/wp-login.php", "/wp-admin/", "/xmlrpc.php", "/phpmyadmin/index.php", "/.git/config", "/.git/HEAD",
        "/config.json", "/.aws/credentials", "/server-status", "/actuator/env", "/actuator/health", "/api/admin/users",
        "/api/debug", "/backup.zip", "/db.sql", "/.DS_Store", "/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php",
        "/cgi-bin/luci/;stok=/locale", "/boaform/admin/formLogin", "/owa/auth/logon.aspx", "/solr/admin/info/system",
        "/.well-known/security.txt", "/api/v1/.env", "/console", "/HNAP1/", "/login.action", "/admin/config.php", "/_profiler/phpinfo",
    ];

    public override string Name => "honeypot-probing";

    public override string Label => "attack:honeypot";

    public override string Description => $"20 scanners (hosting and Tor addresses) each probing {Paths.Length} paths like /admin, /.env, /wp-login.php, 2–5 a second";

    public override void Generate(ScenarioContext context)
    {
        string[] agents = ["Mozilla/5.0 zgrab/0.x", "Go-http-client/1.1", "python-requests/2.28.1", "Mozilla/5.0 (compatible; Nuclei - Open-source project (github.com/projectdiscovery/nuclei))"];
        for (var s = 0; s < 20; s++)
        {
            var ip = s % 4 == 0 ? context.Data.Tor.Next(context.Random) : context.Data.Hosting.Next(context.Random);
            var client = context.NewScript(s % 3 == 0 ? context.Browser(desktop: true).UserAgent : agents[context.Random.Next(agents.Length)]);
            var t = context.Between(context.Start, context.End - TimeSpan.FromMinutes(1));
            foreach (var path in Paths.OrderBy(_ => context.Random.Next()))
            {
                context.Emit(client.Request(t, ip, "GET", path, DemoApiAnswers.NotFound));
                t += TimeSpan.FromMilliseconds(200 + context.Random.Next(300));
            }
        }
    }
}
