using Bulwark.Core.Decisions;
using Bulwark.Core.Policy;
using Bulwark.Core.Schema;
using static Bulwark.Core.Tests.Engine.EngineFixture;

namespace Bulwark.Core.Tests.Schema;

/// <summary><c>Bulwark:Schema</c>: reading, errors, and the engine step that refuses non-conforming requests.</summary>
public sealed class SchemaConfigTests : IDisposable
{
    private const string Document = """
        openapi: 3.0.3
        info: { title: t, version: "1" }
        paths:
          /api/cart/items:
            post:
              requestBody:
                required: true
                content:
                  application/json:
                    schema:
                      type: object
                      required: [sku, qty]
                      properties:
                        sku: { type: string }
                        qty: { type: integer, minimum: 1, maximum: 10 }
              responses: { "200": { description: ok } }
          /api/products/{id}:
            get:
              parameters: [ { name: id, in: path, required: true, schema: { type: integer } } ]
              responses: { "200": { description: ok } }
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("bulwark-schema-").FullName;
    private readonly string _document;

    public SchemaConfigTests()
    {
        _document = Path.Combine(_directory, "openapi.yaml");
        File.WriteAllText(_document, Document);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Config(string schema, string apiMode = "enforce") => $$"""
        {
          "Routes": [ { "Path": "/api/**", "Policy": "api" }, { "Path": "/other/**", "Policy": "other" } ],
          "Policies": { "api": { "Mode": "{{apiMode}}" }, "other": {} },
          "Schema": {{schema}}
        }
        """;

    private string DocumentJson => System.Text.Json.JsonSerializer.Serialize(_document);

    [Fact]
    public void Reads_every_key()
    {
        var options = Options(Config($$"""{ "Document": {{DocumentJson}}, "RejectUndefinedRoutes": true, "Policies": ["api"] }"""));
        Assert.Equal(_document, options.Schema.Document);
        Assert.True(options.Schema.RejectUndefinedRoutes);
        Assert.Equal(["api"], options.Schema.Policies);
        var compiled = CompiledConfiguration.Compile(options);
        Assert.NotNull(compiled.Schema);
        Assert.Equal(2, compiled.Schema.Document.OperationCount);
        Assert.True(compiled.Schema.AppliesTo("api"));
        Assert.False(compiled.Schema.AppliesTo("other"));
    }

    [Fact]
    public void Default_is_off()
    {
        var options = Options("{}");
        Assert.Null(options.Schema.Document);
        Assert.Null(CompiledConfiguration.Compile(options).Schema);
    }

    [Theory]
    [InlineData("""{ "Documnet": "x.yaml" }""", "$.Bulwark.Schema.Documnet", "Did you mean \"Document\"?")]
    [InlineData("""{ "Document": "x.yaml", "RejectUndefinedRoutes": "sometimes" }""", "$.Bulwark.Schema.RejectUndefinedRoutes", "")]
    [InlineData("""{ "RejectUndefinedRoutes": true }""", "$.Bulwark.Schema.Document", "no document")]
    [InlineData("""{ "Document": "/nonexistent/openapi.yaml" }""", "$.Bulwark.Schema.Document", "/nonexistent/openapi.yaml: cannot be read")]
    [InlineData("""[ "openapi.yaml" ]""", "$.Bulwark.Schema", "expected an object")]
    public void Errors_name_the_key(string schema, string path, string expected)
    {
        var loaded = BulwarkConfigLoader.LoadJson("{\"Bulwark\":" + Config(schema) + "}");
        Assert.Null(loaded.Options);
        Assert.Contains(loaded.Errors, e => e.Path == path && e.ToString().Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Unknown_policy_is_an_error_listing_the_policies()
    {
        var loaded = BulwarkConfigLoader.LoadJson("{\"Bulwark\":" + Config($$"""{ "Document": {{DocumentJson}}, "Policies": ["api", "nope"] }""") + "}");
        var error = Assert.Single(loaded.Errors);
        Assert.Equal("$.Bulwark.Schema.Policies[1]", error.Path);
        Assert.Contains("api, other", error.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void Broken_document_is_reported_by_config_check_with_the_file_and_line()
    {
        File.WriteAllText(_document, "openapi: 3.1.0\npaths:\n  /a: [\n");
        var config = Path.Combine(_directory, "bulwark.json");
        File.WriteAllText(config, "{\"Bulwark\":" + Config($$"""{ "Document": {{DocumentJson}} }""") + "}");
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        Assert.Equal(ConfigCheck.Invalid, ConfigCheck.Run(config, stdout, stderr));
        Assert.Contains($"$.Bulwark.Schema.Document: {_document}: is not valid YAML at line", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Config_check_reports_the_document_and_its_unsupported_keywords()
    {
        File.WriteAllText(_document, Document.Replace("sku: { type: string }", "sku: { type: string, readOnly: true }", StringComparison.Ordinal));
        var config = Path.Combine(_directory, "bulwark.json");
        File.WriteAllText(config, "{\"Bulwark\":" + Config($$"""{ "Document": {{DocumentJson}} }""") + "}");
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        Assert.Equal(ConfigCheck.Valid, ConfigCheck.Run(config, stdout, stderr));
        var output = stdout.ToString();
        Assert.Contains($"OpenAPI 3.0.3 document {_document}: 2 operations", output, StringComparison.Ordinal);
        Assert.Contains($"warning: {_document}: keyword 'readOnly' is not enforced", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Engine_refuses_an_invalid_body_with_400_and_the_pointer_before_limits()
    {
        var engine = NewEngine(Config($$"""{ "Document": {{DocumentJson}} }"""));
        var valid = await engine.Decide(Request("POST", "/api/cart/items", body: """{ "sku": "A-1", "qty": 2 }"""));
        Assert.Equal(DecisionAction.Allow, valid.Action);

        var invalid = await engine.Decide(WithState(Request("POST", "/api/cart/items", body: """{ "sku": "A-1", "qty": 0 }""")));
        Assert.Equal(DecisionAction.Block, invalid.Action);
        Assert.Equal(400, invalid.StatusCode);
        Assert.Equal(ReasonCodes.SchemaInvalid, invalid.ReasonCode);
        Assert.True(invalid.Enforced);
        Assert.Equal("/body/qty", invalid.Schema?.Pointer);
        Assert.Equal("must be >= 1", invalid.Schema?.Detail);
        Assert.Contains(invalid.Reasons, r => r.Signal == "schema" && r.Detail == "/body/qty: must be >= 1");

        var badId = await engine.Decide(Request("GET", "/api/products/x"));
        Assert.Equal("/path/id", badId.Schema?.Pointer);

        // Undefined routes pass unless RejectUndefinedRoutes is set.
        Assert.Equal(DecisionAction.Allow, (await engine.Decide(Request("GET", "/api/unknown"))).Action);
    }

    [Fact]
    public async Task Undefined_routes_are_refused_when_configured()
    {
        var engine = NewEngine(Config($$"""{ "Document": {{DocumentJson}}, "RejectUndefinedRoutes": true }"""));
        var unknown = await engine.Decide(Request("GET", "/api/unknown"));
        Assert.Equal((404, ReasonCodes.SchemaUndefinedRoute), (unknown.StatusCode, unknown.ReasonCode));
        var method = await engine.Decide(Request("DELETE", "/api/products/1"));
        Assert.Equal((405, ReasonCodes.SchemaMethodNotAllowed), (method.StatusCode, method.ReasonCode));
    }

    [Fact]
    public async Task Monitor_mode_logs_the_refusal_without_enforcing_it()
    {
        var engine = NewEngine(Config($$"""{ "Document": {{DocumentJson}} }""", apiMode: "monitor"));
        var decision = await engine.Decide(Request("POST", "/api/cart/items", body: """{ "qty": 3 }"""));
        Assert.Equal(400, decision.StatusCode);
        Assert.False(decision.Enforced);
        Assert.False(decision.IsRefusal);
        Assert.Equal("/body/sku", decision.Schema?.Pointer);
    }

    [Fact]
    public async Task Only_the_listed_policies_are_validated()
    {
        var engine = NewEngine(Config($$"""{ "Document": {{DocumentJson}}, "RejectUndefinedRoutes": true, "Policies": ["other"] }"""));
        Assert.Equal(DecisionAction.Allow, (await engine.Decide(Request("GET", "/api/unknown"))).Action);
        Assert.Equal(404, (await engine.Decide(Request("GET", "/other/x"))).StatusCode);
    }

    [Fact]
    public async Task Replay_records_without_a_body_skip_body_checks()
    {
        var engine = NewEngine(Config($$"""{ "Document": {{DocumentJson}} }"""));
        var decision = await engine.Decide(Request("POST", "/api/cart/items")); // BodyState NotRead: the record had no body
        Assert.Equal(DecisionAction.Allow, decision.Action);
        var empty = await engine.Decide(WithState(Request("POST", "/api/cart/items"), RequestBodyState.Empty));
        Assert.Equal("/body", empty.Schema?.Pointer);
    }

    private static RequestContext WithState(RequestContext request, RequestBodyState state = RequestBodyState.Parsed) => new()
    {
        Timestamp = request.Timestamp,
        ClientIp = request.ClientIp,
        Method = request.Method,
        Path = request.Path,
        Headers = request.Headers,
        Body = request.Body,
        BodyState = state,
    };
}
