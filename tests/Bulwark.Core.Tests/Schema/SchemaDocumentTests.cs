using Bulwark.Core.Schema;
using static Bulwark.Core.Tests.Schema.SchemaTestDocuments;

namespace Bulwark.Core.Tests.Schema;

/// <summary>Routes, parameters, body states and load errors of <see cref="SchemaDocument"/>.</summary>
public sealed class SchemaDocumentTests
{
    private const string Api = """
        openapi: 3.1.0
        info: { title: t, version: "1" }
        servers:
          - url: https://api.example.com/v2
        paths:
          /items/{id}:
            parameters:
              - { name: id, in: path, required: true, schema: { type: integer, minimum: 1 } }
            get:
              parameters:
                - { name: fields, in: query, schema: { type: array, items: { type: string, enum: [name, price] } }, explode: false }
                - { name: limit, in: query, required: true, schema: { type: integer, maximum: 100 } }
                - { name: tag, in: query, schema: { type: array, items: { type: string, maxLength: 3 } } }
                - { name: exact, in: query, schema: { type: boolean } }
              responses: { "200": { description: ok } }
            delete:
              responses: { "204": { description: gone } }
          /items/latest:
            get:
              responses: { "200": { description: ok } }
          /files/{name}.json:
            get:
              parameters:
                - { name: name, in: path, required: true, schema: { type: string, format: uuid } }
              responses: { "200": { description: ok } }
          /upload:
            post:
              requestBody:
                content:
                  application/json: { schema: { type: object } }
                  text/plain: { schema: { type: string } }
              responses: { "200": { description: ok } }
          /orders:
            post:
              requestBody:
                required: true
                content:
                  application/vnd.orders+json: { schema: { type: object, required: [sku] } }
              responses: { "200": { description: ok } }
        """;

    private static readonly SchemaDocument Document = Load(Api, "api.yaml");

    [Theory]
    [InlineData("/v2/items/7", "limit=5", null)]
    [InlineData("/v2/items/7/", "limit=5", null)]
    [InlineData("/v2/items/0", "limit=5", "/path/id")]
    [InlineData("/v2/items/seven", "limit=5", "/path/id")]
    [InlineData("/v2/items/7", "", "/query/limit")]
    [InlineData("/v2/items/7", "limit=101", "/query/limit")]
    [InlineData("/v2/items/7", "limit=ten", "/query/limit")]
    [InlineData("/v2/items/7", "limit=5&limit=6", "/query/limit")]
    [InlineData("/v2/items/7", "limit=5&fields=name,price", null)]
    [InlineData("/v2/items/7", "limit=5&fields=name,colour", "/query/fields/1")]
    [InlineData("/v2/items/7", "limit=5&tag=a&tag=bcd", null)]
    [InlineData("/v2/items/7", "limit=5&tag=a&tag=bcde", "/query/tag/1")]
    [InlineData("/v2/items/7", "limit=5&tag=a%2Cb", null)]
    [InlineData("/v2/items/7", "limit=5&exact=true", null)]
    [InlineData("/v2/items/7", "limit=5&exact=yes", "/query/exact")]
    [InlineData("/v2/items/7", "limit=5&unknown=1", null)]
    [InlineData("/v2/items/latest", null, null)]
    [InlineData("/v2/files/3f2504e0-4f89-41d3-9a0c-0305e82c3301.json", null, null)]
    [InlineData("/v2/files/readme.json", null, "/path/name")]
    public void Path_and_query_parameters(string path, string? query, string? pointer)
    {
        var violation = Document.Validate(Request("GET", path, query), rejectUndefinedRoutes: true);
        Assert.Equal(pointer, violation?.Pointer);
        if (violation is not null)
        {
            Assert.Equal(400, violation.StatusCode);
        }
    }

    [Theory]
    [InlineData("GET", "/v2/nothing", 404, "schema_undefined_route")]
    [InlineData("GET", "/items/7", 404, "schema_undefined_route")]
    [InlineData("PUT", "/v2/items/7", 405, "schema_method_not_allowed")]
    [InlineData("POST", "/v2/items/latest", 405, "schema_method_not_allowed")]
    public void Undefined_routes_are_refused_only_when_configured(string method, string path, int status, string code)
    {
        var violation = Document.Validate(Request(method, path), rejectUndefinedRoutes: true);
        Assert.NotNull(violation);
        Assert.Equal(status, violation.StatusCode);
        Assert.Equal(code, violation.ReasonCode);
        Assert.Null(violation.Pointer);
        Assert.Null(Document.Validate(Request(method, path), rejectUndefinedRoutes: false));
    }

    [Fact]
    public void Options_on_a_documented_path_passes_for_cors_preflights()
    {
        Assert.Null(Document.Validate(Request("OPTIONS", "/v2/items/7"), rejectUndefinedRoutes: true));
        Assert.Equal(404, Document.Validate(Request("OPTIONS", "/v2/nothing"), rejectUndefinedRoutes: true)?.StatusCode);
    }

    [Fact]
    public void Head_is_answered_by_the_get_operation()
    {
        Assert.Null(Document.Validate(Request("HEAD", "/v2/items/latest"), rejectUndefinedRoutes: true));
        Assert.Equal("/path/id", Document.Validate(Request("HEAD", "/v2/items/x", "limit=1"), rejectUndefinedRoutes: true)?.Pointer);
    }

    [Theory]
    [InlineData(RequestBodyState.Empty, 400, "/body")]
    [InlineData(RequestBodyState.NotJson, 400, "/body")]
    [InlineData(RequestBodyState.InvalidJson, 400, "/body")]
    [InlineData(RequestBodyState.TooLarge, 413, "/body")]
    [InlineData(RequestBodyState.NotRead, 0, null)]
    public void Body_states_of_a_json_only_required_body(RequestBodyState state, int status, string? pointer)
    {
        var violation = Document.Validate(Request("POST", "/v2/orders", state: state), rejectUndefinedRoutes: true);
        Assert.Equal(pointer, violation?.Pointer);
        Assert.Equal(status, violation?.StatusCode ?? 0);
        if (status == 413)
        {
            Assert.Equal("body_too_large", violation!.ReasonCode);
        }
    }

    [Fact]
    public void Vendor_json_media_types_are_validated()
    {
        Assert.Null(Document.Validate(Request("POST", "/v2/orders", body: """{ "sku": "A" }"""), true));
        Assert.Equal("/body/sku", Document.Validate(Request("POST", "/v2/orders", body: "{}"), true)?.Pointer);
        Assert.True(Document.ExpectsJsonBody("POST", "/v2/orders"));
        Assert.False(Document.ExpectsJsonBody("GET", "/v2/items/1"));
    }

    [Fact]
    public void Optional_body_with_other_media_types_accepts_non_json_and_no_body()
    {
        Assert.Null(Document.Validate(Request("POST", "/v2/upload", state: RequestBodyState.NotJson), true));
        Assert.Null(Document.Validate(Request("POST", "/v2/upload", state: RequestBodyState.Empty), true));
        Assert.Equal("/body", Document.Validate(Request("POST", "/v2/upload", body: "[]"), true)?.Pointer);
    }

    [Theory]
    [InlineData("{ \"openapi\": \"3.1.0\", ", "is not valid JSON at line 1")]
    [InlineData("openapi: 3.1.0\ninfo: [unclosed\n", "is not valid YAML at line")]
    [InlineData("{ \"swagger\": \"2.0\", \"info\": {}, \"paths\": {} }", "Swagger 2.0")]
    [InlineData("{ \"openapi\": \"4.0.0\", \"info\": {}, \"paths\": {} }", "only 3.0.x and 3.1.x")]
    [InlineData("[1, 2]", "is not an OpenAPI document")]
    [InlineData("{ \"info\": {}, \"paths\": {} }", "has no \"openapi\" version")]
    public void Unreadable_documents_name_the_file_and_the_problem(string text, string expected)
    {
        var result = SchemaDocument.Parse(text, "broken.yaml");
        Assert.Null(result.Document);
        var error = Assert.Single(result.Errors);
        Assert.StartsWith("broken.yaml: ", error, StringComparison.Ordinal);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Dangling_reference_and_bad_pattern_are_errors()
    {
        var result = SchemaDocument.Parse(BodyDocument(
            """{ "properties": { "a": { "$ref": "#/components/schemas/Missing" }, "b": { "type": "string", "pattern": "([a-z" } } }"""), "doc.json");
        Assert.Null(result.Document);
        Assert.Contains(result.Errors, e => e.StartsWith("doc.json: ", StringComparison.Ordinal) && e.Contains("Missing", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.Contains("/properties/b", StringComparison.Ordinal) && e.Contains("not a valid regular expression", StringComparison.Ordinal));
    }

    [Fact]
    public void Missing_file_is_an_error_naming_it()
    {
        var path = Path.Combine(Path.GetTempPath(), "bulwark-no-such-" + Guid.NewGuid().ToString("N") + ".yaml");
        var error = Assert.Single(SchemaDocument.Load(path).Errors);
        Assert.StartsWith(path + ": cannot be read", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Unsupported_keywords_are_warnings_and_do_not_restrict()
    {
        var document = Load(BodyDocument("""
            {
              "type": "object",
              "patternProperties": { "^x-": { "type": "integer" } },
              "properties": { "id": { "type": "integer", "readOnly": true } },
              "if": { "required": ["a"] }, "then": { "required": ["b"] },
              "dependentSchemas": { "a": { "required": ["c"] } }
            }
            """));
        var warnings = string.Join("\n", document.Warnings);
        Assert.Contains("'patternProperties'", warnings, StringComparison.Ordinal);
        Assert.Contains("'readOnly'", warnings, StringComparison.Ordinal);
        Assert.Contains("'if/then/else'", warnings, StringComparison.Ordinal);
        Assert.Contains("'dependentSchemas'", warnings, StringComparison.Ordinal);
        Assert.Null(BodyFailure(document, """{ "x-a": "not an integer", "a": 1, "id": 3 }"""));
    }
}
