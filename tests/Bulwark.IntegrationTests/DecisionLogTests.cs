using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Bulwark.Cli.Demo;
using Microsoft.Extensions.Logging;

namespace Bulwark.IntegrationTests;

/// <summary><c>bulwark serve --decisions FILE</c>: every decision lands in the file as a CONTRACTS §3 record.</summary>
public sealed class DecisionLogTests
{
    [Fact]
    public async Task Serve_appends_a_masked_record_per_decision()
    {
        var file = Path.Combine(Path.GetTempPath(), $"bulwark-decisions-{Guid.NewGuid():N}.jsonl");
        try
        {
            var options = new ServeOptions { Urls = "http://127.0.0.1:0", DecisionsFile = file };
            var loaded = DemoServer.LoadConfiguration(options);
            await using (var app = DemoServer.Build(options, loaded.Options!, logging => logging.SetMinimumLevel(LogLevel.Warning)))
            {
                await app.StartAsync();
                using var client = new HttpClient { BaseAddress = new Uri(DemoServer.Addresses(app).Single()) };
                for (var i = 0; i < 6; i++)
                {
                    await client.PostAsJsonAsync("/api/auth/login", new { username = "carol@example.com", password = "nope" });
                }

                Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/api/products/1", UriKind.Relative))).StatusCode);
                await app.StopAsync();
            }

            var lines = await File.ReadAllLinesAsync(file);
            Assert.Equal(7, lines.Length);
            var records = lines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
            // The login preset challenges carol's 4th and 5th attempts (3 failures); the per-address limit refuses the 6th.
            Assert.Equal(["allow", "allow", "allow", "challenge", "challenge", "block", "allow"], records.Select(r => r.GetProperty("action").GetString()));
            Assert.Equal(429, records[5].GetProperty("status").GetInt32());
            Assert.Equal("login-ip", records[5].GetProperty("limit").GetProperty("name").GetString());
            Assert.All(records, r => Assert.Equal("127.0.0.0/24", r.GetProperty("actor").GetProperty("ip").GetString()));
            Assert.DoesNotContain("carol", string.Join("\n", lines), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
