using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Bulwark.AspNetCore.Tests;

public sealed class ConfigReloadTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("bulwark-reload-").FullName;

    private static string Policy(string limitName, string rate) => $$"""
        { "Bulwark": { "Routes": [ { "Path": "/api/**", "Policy": "p" } ],
          "Policies": { "p": { "Limits": [ { "Name": "{{limitName}}", "Key": "ip", "Rate": "{{rate}}" } ] } } } }
        """;

    [Fact]
    public async Task A_changed_file_is_applied_and_an_invalid_one_is_logged_and_ignored()
    {
        var file = Path.Combine(_directory, "bulwark.json");
        await File.WriteAllTextAsync(file, Policy("tight", "1/min"));
        var log = new CollectingLoggerProvider();
        using var host = new HostBuilder()
            .ConfigureLogging(l => l.AddProvider(log))
            .ConfigureWebHost(web => web
                .UseTestServer()
                .ConfigureServices(s => s.AddRouting().AddBulwark(o => o.ConfigFile = file))
                .Configure(app => app.UseRouting().UseBulwark().UseEndpoints(e => e.MapGet("/api/x", () => "x"))))
            .Build();
        await host.StartAsync();
        var client = host.GetTestClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/api/x", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.GetAsync(new Uri("/api/x", UriKind.Relative))).StatusCode);

        await File.WriteAllTextAsync(file, Policy("roomy", "100/min"));
        await WaitUntil(async () => (await client.GetAsync(new Uri("/api/x", UriKind.Relative))).Headers.TryGetValues("RateLimit-Policy", out var v) && v.Single().Contains("roomy", StringComparison.Ordinal));
        await WaitUntil(() => Task.FromResult(log.EventIds.Contains(2101))); // logged just after the swap

        // The watcher may see the file half written first (a JSON error, also rejected with 2102); wait for the message
        // that names the bad rate.
        await File.WriteAllTextAsync(file, Policy("broken", "lots"));
        await WaitUntil(() => Task.FromResult(log.EventIds.Contains(2102) && log.Messages.Any(m => m.Contains("$.Bulwark.Policies.p.Limits[0].Rate", StringComparison.Ordinal))));
        var after = await client.GetAsync(new Uri("/api/x", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Contains("roomy", after.Headers.GetValues("RateLimit-Policy").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public void An_invalid_file_at_startup_fails_with_every_error()
    {
        var file = Path.Combine(_directory, "bad.json");
        File.WriteAllText(file, """{ "Bulwark": { "Mode": "loud", "Routes": [ { "Path": "x", "Policy": "nope" } ] } }""");
        var services = new ServiceCollection().AddLogging().AddBulwark(o => o.ConfigFile = file).Services.BuildServiceProvider();
        var error = Assert.Throws<BulwarkConfigurationException>(() => services.GetRequiredService<Core.BulwarkEngine>());
        Assert.Contains("$.Bulwark.Mode", error.Message, StringComparison.Ordinal);
        Assert.Contains("$.Bulwark.Routes[0].Path", error.Message, StringComparison.Ordinal);
        Assert.Contains("$.Bulwark.Routes[0].Policy", error.Message, StringComparison.Ordinal);
    }

    private static async Task WaitUntil(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 30 s");
            await Task.Delay(100);
        }
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private sealed class CollectingLoggerProvider : ILoggerProvider, ILogger
    {
        public ConcurrentBag<int> EventIds { get; } = [];

        public ConcurrentBag<string> Messages { get; } = [];

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            EventIds.Add(eventId.Id);
            Messages.Add(formatter(state, exception));
        }

        public void Dispose()
        {
        }
    }
}
