using System.Net;
using System.Text;
using System.Text.Json;
using Bulwark.Core.Policy;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Bulwark.AspNetCore.Tests.Schema;

/// <summary>Schema validation through the middleware on the test host, against samples/demo-openapi.yaml.</summary>
public sealed class SchemaMiddlewareTests
{
    private static readonly string DemoDocument = Path.Combine(RepositoryRoot(), "samples", "demo-openapi.yaml");

    private sealed class Reached
    {
        public int Count;
    }

    private static async Task<(IHost Host, Reached Reached)> StartAsync(string mode = "enforce")
    {
        var config = $$"""
            {
              "Bulwark": {
                "Identity": { "MaxBodyBytes": 256 },
                "Routes": [ { "Path": "/api/**", "Policy": "api" } ],
                "Policies": { "api": { "Mode": "{{mode}}" } },
                "Schema": { "Document": {{JsonSerializer.Serialize(DemoDocument)}}, "RejectUndefinedRoutes": true }
              }
            }
            """;
        var loaded = BulwarkConfigLoader.LoadJson(config);
        Assert.True(loaded.Options is not null, string.Join("\n", loaded.Errors));
        var reached = new Reached();
        var host = new HostBuilder()
            .ConfigureWebHost(web => web
                .UseTestServer()
                .ConfigureServices(s =>
                {
                    s.AddRouting();
                    s.AddBulwark(o => o.Options = loaded.Options);
                })
                .Configure(app =>
                {
                    app.UseRouting();
                    app.UseBulwark();
                    app.UseEndpoints(endpoints =>
                    {
                        endpoints.MapPost("/api/cart/items", async (HttpRequest request) =>
                        {
                            Interlocked.Increment(ref reached.Count);
                            using var reader = new StreamReader(request.Body);
                            return Results.Text(await reader.ReadToEndAsync(), "application/json", statusCode: 201);
                        });
                        endpoints.MapGet("/api/products/{id}", (string id) =>
                        {
                            Interlocked.Increment(ref reached.Count);
                            return "product " + id;
                        });
                    });
                }))
            .Build();
        await host.StartAsync();
        return (host, reached);
    }

    private static HttpRequestMessage Cart(string body, string contentType = "application/json") =>
        new(HttpMethod.Post, "/api/cart/items") { Content = new StringContent(body, Encoding.UTF8, contentType) };

    private static async Task<JsonElement> Problem(HttpResponseMessage response, int status, string reason)
    {
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = document.RootElement.Clone();
        Assert.Equal("urn:bulwark:problem:" + reason, root.GetProperty("type").GetString());
        Assert.Equal(status, root.GetProperty("status").GetInt32());
        Assert.Equal(reason, root.GetProperty("reason").GetString());
        Assert.Matches("^[0-9a-f]{16}$", root.GetProperty("decision_id").GetString());
        return root;
    }

    [Fact]
    public async Task Valid_body_reaches_the_application_whole()
    {
        var (host, reached) = await StartAsync();
        using (host)
        {
            const string body = """{"sku":"SKU-12","qty":2}""";
            var response = await host.GetTestClient().SendAsync(Cart(body));
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            Assert.Equal(body, await response.Content.ReadAsStringAsync());
            Assert.Equal(1, reached.Count);
        }
    }

    [Fact]
    public async Task Invalid_body_gets_400_problem_json_naming_the_first_failing_pointer()
    {
        var (host, reached) = await StartAsync();
        using (host)
        {
            var response = await host.GetTestClient().SendAsync(Cart("""{"sku":"SKU-12","qty":0}"""));
            var problem = await Problem(response, 400, "schema_invalid");
            Assert.Equal("Bad Request", problem.GetProperty("title").GetString());
            Assert.Equal("/body/qty must be >= 1.", problem.GetProperty("detail").GetString());
            var error = Assert.Single(problem.GetProperty("errors").EnumerateArray());
            Assert.Equal("/body/qty", error.GetProperty("pointer").GetString());
            Assert.Equal("must be >= 1", error.GetProperty("detail").GetString());
            Assert.Equal(0, reached.Count);
        }
    }

    [Theory]
    [InlineData("""{"sku":"SKU-12","qty":2}""", "text/plain", "/body", "must be JSON (Content-Type: application/json)")]
    [InlineData("""{"sku":"SKU-12","qty":""", "application/json", "/body", "is not valid JSON")]
    [InlineData("""{"sku":"SKU-12","qty":2} trailing""", "application/json", "/body", "is not valid JSON")]
    [InlineData("""{"qty":2}""", "application/json", "/body/sku", "is required")]
    public async Task Body_that_is_not_the_json_the_operation_needs_is_400(string body, string contentType, string pointer, string detail)
    {
        var (host, reached) = await StartAsync();
        using (host)
        {
            var response = await host.GetTestClient().SendAsync(Cart(body, contentType));
            var error = (await Problem(response, 400, "schema_invalid")).GetProperty("errors")[0];
            Assert.Equal(pointer, error.GetProperty("pointer").GetString());
            Assert.Equal(detail, error.GetProperty("detail").GetString());
            Assert.Equal(0, reached.Count);
        }
    }

    [Fact]
    public async Task Missing_body_is_400()
    {
        var (host, _) = await StartAsync();
        using (host)
        {
            var response = await host.GetTestClient().PostAsync("/api/cart/items", new ByteArrayContent([]));
            var error = (await Problem(response, 400, "schema_invalid")).GetProperty("errors")[0];
            Assert.Equal("/body", error.GetProperty("pointer").GetString());
            Assert.Equal("is required", error.GetProperty("detail").GetString());
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Body_over_the_size_limit_is_413_with_or_without_a_content_length(bool withLength)
    {
        var (host, reached) = await StartAsync();
        using (host)
        {
            var body = Encoding.UTF8.GetBytes($$"""{"sku":"SKU-12","qty":2,"pad":"{{new string('x', 400)}}"}""");
            HttpContent content = withLength ? new ByteArrayContent(body) : new StreamContent(new NonSeekableStream(body));
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            var response = await host.GetTestClient().PostAsync("/api/cart/items", content);
            var problem = await Problem(response, 413, "body_too_large");
            Assert.Equal("Content Too Large", problem.GetProperty("title").GetString());
            Assert.Equal(0, reached.Count);
        }
    }

    [Theory]
    [InlineData("GET", "/api/admin", 404, "schema_undefined_route")]
    [InlineData("DELETE", "/api/products/3", 405, "schema_method_not_allowed")]
    public async Task Undefined_routes_are_refused(string method, string path, int status, string reason)
    {
        var (host, reached) = await StartAsync();
        using (host)
        {
            var response = await host.GetTestClient().SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
            var problem = await Problem(response, status, reason);
            Assert.False(problem.TryGetProperty("errors", out _));
            Assert.Equal(0, reached.Count);
        }
    }

    [Fact]
    public async Task Path_parameter_is_checked_and_browsers_still_get_problem_json()
    {
        var (host, reached) = await StartAsync();
        using (host)
        {
            var client = host.GetTestClient();
            Assert.Equal("product 17", await client.GetStringAsync("/api/products/17"));
            var request = new HttpRequestMessage(HttpMethod.Get, "/api/products/abc");
            request.Headers.Accept.ParseAdd("text/html");
            var problem = await Problem(await client.SendAsync(request), 400, "schema_invalid");
            Assert.Equal("/path/id", problem.GetProperty("errors")[0].GetProperty("pointer").GetString());
            Assert.Equal(1, reached.Count);
        }
    }

    [Fact]
    public async Task Monitor_mode_lets_invalid_requests_through()
    {
        var (host, reached) = await StartAsync(mode: "monitor");
        using (host)
        {
            var response = await host.GetTestClient().SendAsync(Cart("""{"sku":"SKU-12","qty":0}"""));
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            Assert.Equal(1, reached.Count);
        }
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Bulwark.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Bulwark.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>A body stream of unknown length, so the client sends it chunked.</summary>
    private sealed class NonSeekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
