using System.CommandLine;
using Microsoft.Extensions.Hosting;
using Bulwark.Cli.Demo;

namespace Bulwark.Cli.Commands;

/// <summary><c>bulwark serve</c>: runs Bulwark; with no configuration, the embedded demo.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var config = new Option<string?>("--config") { Description = "Configuration file (JSON with a top-level \"Bulwark\" object). Default: the embedded demo policy (samples/bulwark.json)." };
        var urls = new Option<string?>("--urls") { Description = $"Where to listen, in ASP.NET Core's syntax (default {DemoServer.DefaultUrls})." };
        var decisions = new Option<string?>("--decisions") { Description = "Append every decision record to this JSON Lines file." };
        var command = new Command("serve", "Run the Bulwark gateway: reverse proxy, decision endpoint (/.bulwark/decide), health and metrics. With no configuration, in front of the bundled demo API.") { config, urls, decisions };
        command.SetAction((parseResult, cancellationToken) => RunAsync(
            new ServeOptions
            {
                ConfigFile = parseResult.GetValue(config),
                Urls = parseResult.GetValue(urls),
                DecisionsFile = parseResult.GetValue(decisions),
            },
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(ServeOptions options, CancellationToken cancellationToken)
    {
        var loaded = DemoServer.LoadConfiguration(options);
        if (loaded.Options is null)
        {
            foreach (var error in loaded.Errors)
            {
                await Console.Error.WriteLineAsync($"{loaded.Source}: {error}").ConfigureAwait(false);
            }

            return 2;
        }

        // Before anything in this process opens a socket: the runtime reads the switch once (SocketCompletionMode).
        _ = Bulwark.Gateway.SocketCompletionMode.Apply(loaded.Options.Gateway.Server);

        try
        {
            _ = Bulwark.Gateway.GatewayHost.ParseUrls(options.Urls ?? DemoServer.DefaultUrls);
        }
        catch (Exception exception) when (exception is FormatException or InvalidOperationException)
        {
            await Console.Error.WriteLineAsync($"bulwark serve: --urls: {exception.Message}").ConfigureAwait(false);
            return 2;
        }

        Microsoft.AspNetCore.Builder.WebApplication app;
        try
        {
            app = DemoServer.Build(options, loaded.Options);
        }
        catch (Exception exception) when (exception is System.Security.Cryptography.CryptographicException or IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"bulwark serve: cannot load the TLS certificate: {exception.Message}").ConfigureAwait(false);
            return 2;
        }

        await using var disposeApp = app;
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException exception)
        {
            await Console.Error.WriteLineAsync($"bulwark serve: cannot listen on {options.Urls ?? DemoServer.DefaultUrls}: {exception.Message.TrimEnd('.')}. Pass --urls http://127.0.0.1:PORT to pick another port.").ConfigureAwait(false);
            return 1;
        }

        PrintBanner(options, loaded.Source, loaded.Options!, DemoServer.Addresses(app));
        await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        return 0;
    }

    private static void PrintBanner(ServeOptions options, string source, Bulwark.Core.Policy.BulwarkOptions bulwarkOptions, IReadOnlyList<string> addresses)
    {
        var state = bulwarkOptions.State;
        var url = addresses.FirstOrDefault(a => a.StartsWith("http://", StringComparison.Ordinal)) ?? addresses.FirstOrDefault() ?? "http://127.0.0.1:5080";
        var policy = options.ConfigFile is null ? "embedded default (samples/bulwark.json)" : source;
        // Only host:port of the connection string: the rest may hold a password.
        var store = state.Store == "redis" ? $"counters in Redis at {state.Redis.Connection?.Split(',')[0]}" : "counters in memory";
        var decisions = options.DecisionsFile is null ? "" : $"; decisions -> {options.DecisionsFile}";
        var login = $"-X POST {url}/api/auth/login -H 'content-type: application/json'";
        var certificate = DemoServer.NeedsDemoCertificate(options, bulwarkOptions)
            ? $"\n  TLS: self-signed demo certificate in {Path.GetFullPath(DemoServer.DemoCertificatePath)} (curl -k, or trust it)"
            : "";
        var endpoints = $"\n  gateway endpoints: {url}/.bulwark/health, /.bulwark/ready, /.bulwark/metrics, /.bulwark/decide (nginx auth_request / Caddy forward_auth)";
        if (!DemoServer.RunsDemoUpstream(bulwarkOptions))
        {
            var routes = string.Join(", ", bulwarkOptions.Gateway.Routes.Select(r => $"{(r.Hosts.Count == 0 ? "*" : string.Join("|", r.Hosts))}{r.PathPrefix} -> {r.Cluster}"));
            Console.WriteLine($"""

                Bulwark gateway listening at {string.Join(", ", addresses)}
                  policy: {policy}; {store}{decisions}
                  routes: {routes}{certificate}{endpoints}

                Press Ctrl-C to stop.
                """);
            return;
        }

        Console.WriteLine($$"""

            Bulwark is protecting the demo API at {{string.Join(", ", addresses)}}
              policy: {{policy}}; {{store}}{{decisions}}
              the gateway proxies to the demo API (bundled, on its own loopback port){{certificate}}{{endpoints}}

            Try:
              curl -i {{url}}/api/products/42
              curl -i {{login}} -d '{"username":"{{DemoApi.DemoUser}}","password":"{{DemoApi.DemoPassword}}"}'
              for i in $(seq 1 8); do curl -s -o /dev/null -w '%{http_code}\n' {{login}} -d '{"username":"mallory","password":"guess'$i'"}'; done
                (3 wrong-password 401s, then Bulwark's challenge_required 401s from the 3rd failure; after a burst of 5 per address, 429s)
              curl -i {{login}} -d '{"username":"x","password":"y"}'    (see Retry-After, RateLimit-Policy, RateLimit)

            Press Ctrl-C to stop.
            """);
    }
}
