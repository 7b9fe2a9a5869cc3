using System.Net;
using System.Text;
using System.Text.Json;

namespace Bulwark.Gateway.Tests.Decisions;

/// <summary>
/// Schema and size checks at <c>GET /.bulwark/decide</c>, which sees the original request's headers but — as nginx's
/// <c>auth_request</c> and Caddy's <c>forward_auth</c> call it — not its body or <c>Content-Length</c>.
/// </summary>
public sealed class DecisionEndpointBodyTests
{
    private const string OpenApi = """
        { "openapi": "3.0.3", "info": { "title": "orders", "version": "1" },
          "paths": { "/api/orders": { "post": {
            "requestBody": { "required": true, "content": { "application/json": { "schema": {
              "type": "object", "required": [ "qty" ], "properties": { "qty": { "type": "integer" } } } } } },
            "responses": { "201": { "description": "created" } } } } } }
        """;

    [Fact]
    public async Task A_post_whose_body_the_proxy_did_not_send_is_not_refused_as_empty()
    {
        await WithGatewayAsync(async client =>
        {
            // What nginx (Content-Length cleared, no body) and Caddy send: the original Content-Type only.
            var decided = await client.SendAsync(Decide("POST", "/api/orders", "application/json"));
            Assert.True(decided.StatusCode == HttpStatusCode.NoContent, $"{decided.StatusCode}: {await decided.Content.ReadAsStringAsync()}");

            var noType = await client.SendAsync(Decide("POST", "/api/orders", null));
            Assert.Equal(HttpStatusCode.NoContent, noType.StatusCode);
        });
    }

    [Fact]
    public async Task A_non_json_content_type_is_refused_for_a_json_only_operation_from_the_header_alone()
    {
        await WithGatewayAsync(async client =>
        {
            var decided = await client.SendAsync(Decide("POST", "/api/orders", "text/plain; charset=utf-8"));
            var text = await decided.Content.ReadAsStringAsync();
            Assert.True(decided.StatusCode == HttpStatusCode.BadRequest, $"{decided.StatusCode}: {text}");
            using var problem = JsonDocument.Parse(text);
            Assert.Equal("schema_invalid", problem.RootElement.GetProperty("reason").GetString());
            Assert.Equal("/body", problem.RootElement.GetProperty("errors")[0].GetProperty("pointer").GetString());
        });
    }

    [Fact]
    public async Task A_subrequest_that_carries_the_body_gets_the_full_body_checks()
    {
        await WithGatewayAsync(async client =>
        {
            // A proxy configured to forward the body (Traefik's forwardBody): validated like a proxied request.
            var invalid = Decide("POST", "/api/orders", null);
            invalid.Content = new StringContent("{\"qty\":\"three\"}", Encoding.UTF8, "application/json");
            var refused = await client.SendAsync(invalid);
            var text = await refused.Content.ReadAsStringAsync();
            Assert.True(refused.StatusCode == HttpStatusCode.BadRequest, $"{refused.StatusCode}: {text}");
            using (var problem = JsonDocument.Parse(text))
            {
                Assert.Equal("/body/qty", problem.RootElement.GetProperty("errors")[0].GetProperty("pointer").GetString());
            }

            var valid = Decide("POST", "/api/orders", null);
            valid.Content = new StringContent("{\"qty\":3}", Encoding.UTF8, "application/json");
            Assert.Equal(HttpStatusCode.NoContent, (await client.SendAsync(valid)).StatusCode);

            var large = Decide("POST", "/api/orders", null);
            large.Content = new StringContent("{\"qty\":3,\"note\":\"" + new string('x', 200) + "\"}", Encoding.UTF8, "application/json");
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await client.SendAsync(large)).StatusCode); // over Identity:MaxBodyBytes (64)
        });
    }

    private static HttpRequestMessage Decide(string method, string uri, string? contentType)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/.bulwark/decide");
        request.Headers.TryAddWithoutValidation("X-Original-Method", method);
        request.Headers.TryAddWithoutValidation("X-Original-URI", uri);
        if (contentType is not null)
        {
            // An empty content only to carry the original Content-Type (HttpClient sends Content-Length: 0; nginx and Caddy
            // send no Content-Length at all — both mean no body).
            request.Content = new ByteArrayContent([]);
            request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        return request;
    }

    private static async Task WithGatewayAsync(Func<HttpClient, Task> test)
    {
        var document = Path.Combine(Path.GetTempPath(), $"bulwark-decide-openapi-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(document, OpenApi);
        try
        {
            await using var gateway = await TestGateway.StartAsync($$"""
                { "Bulwark": {
                    "Identity": { "MaxBodyBytes": 64 },
                    "Routes": [ { "Name": "api", "Path": "/api/**", "Policy": "api" } ],
                    "Policies": { "api": { } },
                    "Schema": { "Document": {{JsonSerializer.Serialize(document)}} }
                } }
                """);
            using var client = gateway.Client();
            await test(client);
        }
        finally
        {
            File.Delete(document);
        }
    }
}
