using System.Net;
using System.Text.Json;
using Bulwark.Core.Schema;

namespace Bulwark.Core.Tests.Schema;

/// <summary>Builds small OpenAPI documents around one body schema and requests to validate against them.</summary>
internal static class SchemaTestDocuments
{
    /// <summary>A document with <c>POST /t</c> whose JSON body has <paramref name="schemaJson"/>, in JSON.</summary>
    public static string BodyDocument(string schemaJson, string version = "3.1.0", string components = "{}") => $$"""
        {
          "openapi": "{{version}}",
          "info": { "title": "t", "version": "1" },
          "paths": {
            "/t": {
              "post": {
                "requestBody": { "required": true, "content": { "application/json": { "schema": {{schemaJson}} } } },
                "responses": { "200": { "description": "ok" } }
              }
            }
          },
          "components": {{components}}
        }
        """;

    public static SchemaDocument Load(string text, string source = "test.json")
    {
        var result = SchemaDocument.Parse(text, source);
        Assert.True(result.Document is not null, string.Join("\n", result.Errors));
        return result.Document!;
    }

    public static RequestContext Request(string method, string path, string? query = null, string? body = null, RequestBodyState? state = null) => new()
    {
        Timestamp = DateTimeOffset.UnixEpoch,
        ClientIp = IPAddress.Loopback,
        Method = method,
        Path = path,
        Query = query,
        Body = body is null ? null : JsonDocument.Parse(body).RootElement.Clone(),
        BodyState = state ?? (body is null ? RequestBodyState.Empty : RequestBodyState.Parsed),
    };

    /// <summary>The pointer of the first failure of <paramref name="body"/> against <paramref name="document"/>, or null if valid.</summary>
    public static string? BodyFailure(SchemaDocument document, string body)
    {
        var violation = document.Validate(Request("POST", "/t", body: body), rejectUndefinedRoutes: false);
        if (violation is not null)
        {
            Assert.Equal(400, violation.StatusCode);
            Assert.Equal("schema_invalid", violation.ReasonCode);
        }

        return violation?.Pointer;
    }
}
