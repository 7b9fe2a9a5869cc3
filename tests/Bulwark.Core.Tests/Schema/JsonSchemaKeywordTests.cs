using Bulwark.Core.Schema;

namespace Bulwark.Core.Tests.Schema;

/// <summary>Every supported keyword with a value that passes and one that fails (and where the failure points).</summary>
public sealed class JsonSchemaKeywordTests
{
    public static TheoryData<string, string, string?> Cases => new()
    {
        // type
        { """{ "type": "object" }""", """{}""", null },
        { """{ "type": "object" }""", """[]""", "/body" },
        { """{ "properties": { "a": { "type": "string" } } }""", """{ "a": "x" }""", null },
        { """{ "properties": { "a": { "type": "string" } } }""", """{ "a": 1 }""", "/body/a" },
        { """{ "properties": { "a": { "type": "integer" } } }""", """{ "a": 3 }""", null },
        { """{ "properties": { "a": { "type": "integer" } } }""", """{ "a": 3.0 }""", null },
        { """{ "properties": { "a": { "type": "integer" } } }""", """{ "a": 3.5 }""", "/body/a" },
        { """{ "properties": { "a": { "type": "number" } } }""", """{ "a": 3.5 }""", null },
        { """{ "properties": { "a": { "type": "number" } } }""", """{ "a": "3.5" }""", "/body/a" },
        { """{ "properties": { "a": { "type": "boolean" } } }""", """{ "a": false }""", null },
        { """{ "properties": { "a": { "type": "boolean" } } }""", """{ "a": 0 }""", "/body/a" },
        { """{ "properties": { "a": { "type": "array" } } }""", """{ "a": [] }""", null },
        { """{ "properties": { "a": { "type": "array" } } }""", """{ "a": {} }""", "/body/a" },
        { """{ "properties": { "a": { "type": "null" } } }""", """{ "a": null }""", null },
        { """{ "properties": { "a": { "type": "string" } } }""", """{ "a": null }""", "/body/a" },
        // 3.1 type arrays
        { """{ "properties": { "a": { "type": ["string", "null"] } } }""", """{ "a": null }""", null },
        { """{ "properties": { "a": { "type": ["string", "null"] } } }""", """{ "a": "x" }""", null },
        { """{ "properties": { "a": { "type": ["string", "null"] } } }""", """{ "a": 2 }""", "/body/a" },
        // required
        { """{ "required": ["a", "b"] }""", """{ "a": 1, "b": 2 }""", null },
        { """{ "required": ["a", "b"] }""", """{ "a": 1 }""", "/body/b" },
        // additionalProperties
        { """{ "properties": { "a": {} }, "additionalProperties": false }""", """{ "a": 1 }""", null },
        { """{ "properties": { "a": {} }, "additionalProperties": false }""", """{ "a": 1, "b~/c": 2 }""", "/body/b~0~1c" },
        { """{ "additionalProperties": { "type": "integer" } }""", """{ "x": 1, "y": 2 }""", null },
        { """{ "additionalProperties": { "type": "integer" } }""", """{ "x": 1, "y": "2" }""", "/body/y" },
        { """{ "additionalProperties": true }""", """{ "x": [1] }""", null },
        // enum and const
        { """{ "properties": { "a": { "enum": ["x", 1, null] } } }""", """{ "a": 1 }""", null },
        { """{ "properties": { "a": { "enum": ["x", 1, null] } } }""", """{ "a": null }""", null },
        { """{ "properties": { "a": { "enum": ["x", 1, null] } } }""", """{ "a": "y" }""", "/body/a" },
        { """{ "properties": { "a": { "const": "x" } } }""", """{ "a": "x" }""", null },
        { """{ "properties": { "a": { "const": "x" } } }""", """{ "a": "y" }""", "/body/a" },
        // formats
        { """{ "properties": { "a": { "type": "string", "format": "date" } } }""", """{ "a": "2026-02-28" }""", null },
        { """{ "properties": { "a": { "type": "string", "format": "date" } } }""", """{ "a": "2026-02-30" }""", "/body/a" },
        { """{ "properties": { "a": { "type": "string", "format": "date" } } }""", """{ "a": "2026-2-3" }""", "/body/a" },
        { """{ "properties": { "a": { "type": "string", "format": "date-time" } } }""", """{ "a": "2026-11-21T10:00:00.123Z" }""", null },
        { """{ "properties": { "a": { "type": "string", "format": "date-time" } } }""", """{ "a": "2026-11-21T10:00:00+01:00" }""", null },
        { """{ "properties": { "a": { "type": "string", "format": "date-time" } } }""", """{ "a": "2026-11-21T10:00:00" }""", "/body/a" },
        { """{ "properties": { "a": { "type": "string", "format": "date-time" } } }""", """{ "a": "2026-11-21 25:00:00Z" }""", "/body/a" },
        { """{ "properties": { "a": { "type": "string", "format": "email" } } }""", """{ "a": "alice@example.com" }""", null },
        { """{ "properties": { "a": { "type": "string", "format": "email" } } }""", """{ "a": "alice.example.com" }""", "/body/a" },
        { """{ "properties": { "a": { "type": "string", "format": "email" } } }""", """{ "a": "a b@example.com" }""", "/body/a" },
        { """{ "properties": { "a": { "type": "string", "format": "email" } } }""", """{ "a": "alice@localhost" }""", "/body/a" },
        { """{ "properties": { "a": { "type": "string", "format": "uuid" } } }""", """{ "a": "3f2504e0-4f89-41d3-9a0c-0305e82c3301" }""", null },
        { """{ "properties": { "a": { "type": "string", "format": "uuid" } } }""", """{ "a": "3f2504e04f8941d39a0c0305e82c3301" }""", "/body/a" },
        { """{ "properties": { "a": { "type": "string", "format": "ipv4" } } }""", """{ "a": "192.0.2.1" }""", null },
        { """{ "properties": { "a": { "type": "string", "format": "ipv4" } } }""", """{ "a": "::1" }""", "/body/a" },
        { """{ "properties": { "a": { "type": "string", "format": "hostname" } } }""", """{ "a": "not checked!" }""", null },
        { """{ "properties": { "a": { "type": "integer", "format": "int32" } } }""", """{ "a": 2147483647 }""", null },
        { """{ "properties": { "a": { "type": "integer", "format": "int32" } } }""", """{ "a": 2147483648 }""", "/body/a" },
        // lengths (code points, not UTF-16 units)
        { """{ "properties": { "a": { "type": "string", "minLength": 2, "maxLength": 3 } } }""", """{ "a": "ab" }""", null },
        { """{ "properties": { "a": { "type": "string", "minLength": 2, "maxLength": 3 } } }""", """{ "a": "a" }""", "/body/a" },
        { """{ "properties": { "a": { "type": "string", "minLength": 2, "maxLength": 3 } } }""", """{ "a": "abcd" }""", "/body/a" },
        { """{ "properties": { "a": { "type": "string", "maxLength": 2 } } }""", """{ "a": "😀😀" }""", null },
        // pattern (unanchored, ECMA-262 \d)
        { """{ "properties": { "a": { "type": "string", "pattern": "^[a-z]+\\d$" } } }""", """{ "a": "abc1" }""", null },
        { """{ "properties": { "a": { "type": "string", "pattern": "^[a-z]+\\d$" } } }""", """{ "a": "abc١" }""", "/body/a" },
        { """{ "properties": { "a": { "type": "string", "pattern": "b" } } }""", """{ "a": "abc" }""", null },
        // escaped strings are decoded before lengths and patterns are checked
        { """{ "properties": { "a": { "type": "string", "pattern": "^ABC$", "maxLength": 3 } } }""", """{ "a": "\u0041BC" }""", null },
        { """{ "properties": { "a": { "type": "string", "pattern": "^ABC$" } } }""", """{ "a": "\u0041BD" }""", "/body/a" },
        { """{ "properties": { "a": { "type": "string", "maxLength": 2000 } } }""", "{ \"a\": \"" + new string('x', 2000) + "\" }", null },
        { """{ "properties": { "a": { "type": "string", "maxLength": 1999 } } }""", "{ \"a\": \"" + new string('x', 2000) + "\" }", "/body/a" },
        // numeric bounds (3.1 numeric exclusive forms)
        { """{ "properties": { "a": { "type": "number", "minimum": 1, "maximum": 5 } } }""", """{ "a": 1 }""", null },
        { """{ "properties": { "a": { "type": "number", "minimum": 1, "maximum": 5 } } }""", """{ "a": 5 }""", null },
        { """{ "properties": { "a": { "type": "number", "minimum": 1, "maximum": 5 } } }""", """{ "a": 0.5 }""", "/body/a" },
        { """{ "properties": { "a": { "type": "number", "minimum": 1, "maximum": 5 } } }""", """{ "a": 5.5 }""", "/body/a" },
        { """{ "properties": { "a": { "type": "number", "exclusiveMinimum": 1, "exclusiveMaximum": 5 } } }""", """{ "a": 4.9 }""", null },
        { """{ "properties": { "a": { "type": "number", "exclusiveMinimum": 1, "exclusiveMaximum": 5 } } }""", """{ "a": 1 }""", "/body/a" },
        { """{ "properties": { "a": { "type": "number", "exclusiveMinimum": 1, "exclusiveMaximum": 5 } } }""", """{ "a": 5 }""", "/body/a" },
        { """{ "properties": { "a": { "type": "number", "multipleOf": 0.01 } } }""", """{ "a": 19.99 }""", null },
        { """{ "properties": { "a": { "type": "number", "multipleOf": 0.01 } } }""", """{ "a": 19.999 }""", "/body/a" },
        { """{ "properties": { "a": { "type": "integer", "multipleOf": 5 } } }""", """{ "a": 15 }""", null },
        { """{ "properties": { "a": { "type": "integer", "multipleOf": 5 } } }""", """{ "a": 16 }""", "/body/a" },
        // arrays
        { """{ "properties": { "a": { "type": "array", "items": { "type": "integer" }, "minItems": 1, "maxItems": 3 } } }""", """{ "a": [1, 2] }""", null },
        { """{ "properties": { "a": { "type": "array", "items": { "type": "integer" }, "minItems": 1, "maxItems": 3 } } }""", """{ "a": [1, "2"] }""", "/body/a/1" },
        { """{ "properties": { "a": { "type": "array", "items": { "type": "integer" }, "minItems": 1, "maxItems": 3 } } }""", """{ "a": [] }""", "/body/a" },
        { """{ "properties": { "a": { "type": "array", "items": { "type": "integer" }, "minItems": 1, "maxItems": 3 } } }""", """{ "a": [1, 2, 3, 4] }""", "/body/a" },
        { """{ "properties": { "a": { "type": "array", "uniqueItems": true } } }""", """{ "a": [1, "1", {"x": 1}] }""", null },
        { """{ "properties": { "a": { "type": "array", "uniqueItems": true } } }""", """{ "a": [{"x": 1, "y": 2}, {"y": 2, "x": 1}] }""", "/body/a/1" },
        { """{ "properties": { "a": { "type": "array", "items": { "required": ["n"] } } } }""", """{ "a": [{"n": 1}, {}] }""", "/body/a/1/n" },
        // object size
        { """{ "minProperties": 1, "maxProperties": 2 }""", """{ "a": 1 }""", null },
        { """{ "minProperties": 1, "maxProperties": 2 }""", """{}""", "/body" },
        { """{ "minProperties": 1, "maxProperties": 2 }""", """{ "a": 1, "b": 2, "c": 3 }""", "/body" },
        // combinators
        { """{ "allOf": [ { "required": ["a"] }, { "properties": { "a": { "type": "integer" } } } ] }""", """{ "a": 1 }""", null },
        { """{ "allOf": [ { "required": ["a"] }, { "properties": { "a": { "type": "integer" } } } ] }""", """{ "a": "1" }""", "/body/a" },
        { """{ "properties": { "a": { "anyOf": [ { "type": "string" }, { "type": "integer" } ] } } }""", """{ "a": 1 }""", null },
        { """{ "properties": { "a": { "anyOf": [ { "type": "string" }, { "type": "integer" } ] } } }""", """{ "a": true }""", "/body/a" },
        { """{ "properties": { "a": { "oneOf": [ { "type": "integer" }, { "type": "number" } ] } } }""", """{ "a": 1.5 }""", null },
        { """{ "properties": { "a": { "oneOf": [ { "type": "integer" }, { "type": "number" } ] } } }""", """{ "a": 1 }""", "/body/a" },
        { """{ "properties": { "a": { "oneOf": [ { "type": "integer" }, { "type": "string" } ] } } }""", """{ "a": [] }""", "/body/a" },
        { """{ "properties": { "a": { "not": { "type": "string" } } } }""", """{ "a": 1 }""", null },
        { """{ "properties": { "a": { "not": { "type": "string" } } } }""", """{ "a": "x" }""", "/body/a" },
        // $ref
        { """{ "$ref": "#/components/schemas/Item" }""", """{ "qty": 2 }""", null },
        { """{ "$ref": "#/components/schemas/Item" }""", """{ "qty": 0 }""", "/body/qty" },
        // recursion through $ref
        { """{ "$ref": "#/components/schemas/Node" }""", """{ "children": [ { "children": [] } ] }""", null },
        { """{ "$ref": "#/components/schemas/Node" }""", """{ "children": [ { "children": [ { "children": 1 } ] } ] }""", "/body/children/0/children/0/children" },
    };

    private const string Components = """
        { "schemas": {
            "Item": { "type": "object", "required": ["qty"], "properties": { "qty": { "type": "integer", "minimum": 1 } } },
            "Node": { "type": "object", "properties": { "children": { "type": "array", "items": { "$ref": "#/components/schemas/Node" } } } }
        } }
        """;

    [Theory]
    [MemberData(nameof(Cases))]
    public void Keyword_accepts_valid_and_points_at_invalid_values(string schema, string body, string? pointer)
    {
        var document = SchemaTestDocuments.Load(SchemaTestDocuments.BodyDocument(schema, components: Components));
        Assert.Equal(pointer, SchemaTestDocuments.BodyFailure(document, body));
    }

    [Theory]
    [InlineData("""{ "a": null }""", null)]
    [InlineData("""{ "a": 2 }""", null)]
    [InlineData("""{ "a": "2" }""", "/body/a")]
    [InlineData("""{ "b": null }""", "/body/b")]
    public void OpenApi_3_0_nullable_admits_null(string body, string? pointer)
    {
        var document = SchemaTestDocuments.Load(SchemaTestDocuments.BodyDocument(
            """{ "properties": { "a": { "type": "integer", "nullable": true }, "b": { "type": "integer" } } }""", version: "3.0.3"));
        Assert.Equal(pointer, SchemaTestDocuments.BodyFailure(document, body));
    }

    [Theory]
    [InlineData("1.5", null)]
    [InlineData("1", "/body/a")]
    [InlineData("10", "/body/a")]
    [InlineData("9.99", null)]
    public void OpenApi_3_0_boolean_exclusive_bounds(string value, string? pointer)
    {
        var document = SchemaTestDocuments.Load(SchemaTestDocuments.BodyDocument(
            """{ "properties": { "a": { "type": "number", "minimum": 1, "exclusiveMinimum": true, "maximum": 10, "exclusiveMaximum": true } } }""",
            version: "3.0.3"));
        Assert.Equal(pointer, SchemaTestDocuments.BodyFailure(document, $$"""{ "a": {{value}} }"""));
    }

    [Fact]
    public void OpenApi_3_0_inclusive_bounds_when_exclusive_is_false()
    {
        var document = SchemaTestDocuments.Load(SchemaTestDocuments.BodyDocument(
            """{ "properties": { "a": { "type": "number", "minimum": 1, "exclusiveMinimum": false } } }""", version: "3.0.3"));
        Assert.Null(SchemaTestDocuments.BodyFailure(document, """{ "a": 1 }"""));
        Assert.Equal("/body/a", SchemaTestDocuments.BodyFailure(document, """{ "a": 0.9 }"""));
    }

    [Fact]
    public void Yaml_document_validates_like_its_json_twin()
    {
        const string yaml = """
            openapi: 3.0.3
            info: { title: t, version: "1" }
            paths:
              /t:
                post:
                  requestBody:
                    required: true
                    content:
                      application/json:
                        schema:
                          type: object
                          required: [sku, qty]
                          properties:
                            sku: { type: string, pattern: "^[A-Z]+-[0-9]+$" }
                            qty: { type: integer, minimum: 1, maximum: 10 }
                            when: { type: string, format: date-time, nullable: true }
                            tag: { type: string, enum: [a, "true", "1"] }
                          additionalProperties: false
                  responses: { "200": { description: ok } }
            """;
        var document = SchemaTestDocuments.Load(yaml, "test.yaml");
        Assert.Null(SchemaTestDocuments.BodyFailure(document, """{ "sku": "AB-12", "qty": 3, "when": null, "tag": "true" }"""));
        Assert.Equal("/body/qty", SchemaTestDocuments.BodyFailure(document, """{ "sku": "AB-12", "qty": 11 }"""));
        Assert.Equal("/body/sku", SchemaTestDocuments.BodyFailure(document, """{ "sku": "ab-12", "qty": 1 }"""));
        Assert.Equal("/body/tag", SchemaTestDocuments.BodyFailure(document, """{ "sku": "AB-12", "qty": 1, "tag": true }"""));
        Assert.Equal("/body/extra", SchemaTestDocuments.BodyFailure(document, """{ "sku": "AB-12", "qty": 1, "extra": 1 }"""));
        Assert.Equal("/body/when", SchemaTestDocuments.BodyFailure(document, """{ "sku": "AB-12", "qty": 1, "when": "yesterday" }"""));
    }

    [Fact]
    public void Self_referencing_allOf_fails_at_the_depth_bound_instead_of_overflowing()
    {
        var document = SchemaTestDocuments.Load(SchemaTestDocuments.BodyDocument(
            """{ "$ref": "#/components/schemas/Loop" }""",
            components: """{ "schemas": { "Loop": { "allOf": [ { "$ref": "#/components/schemas/Loop" } ] } } }"""));
        var violation = document.Validate(SchemaTestDocuments.Request("POST", "/t", body: "{}"), false);
        Assert.NotNull(violation);
        Assert.Contains("nested deeper", violation.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void First_failure_is_reported_in_document_order()
    {
        var document = SchemaTestDocuments.Load(SchemaTestDocuments.BodyDocument(
            """{ "required": ["a"], "properties": { "b": { "type": "string" }, "c": { "type": "string" } } }"""));
        Assert.Equal("/body/a", SchemaTestDocuments.BodyFailure(document, """{ "b": 1, "c": 2 }"""));
        Assert.Equal("/body/b", SchemaTestDocuments.BodyFailure(document, """{ "a": 0, "b": 1, "c": 2 }"""));
    }

    [Fact]
    public void Catastrophic_backtracking_is_cut_off_by_the_timeout_and_refused()
    {
        var document = SchemaTestDocuments.Load(SchemaTestDocuments.BodyDocument(
            """{ "properties": { "a": { "type": "string", "pattern": "^(a+)+$" } } }"""));
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var violation = document.Validate(SchemaTestDocuments.Request("POST", "/t", body: $$"""{ "a": "{{new string('a', 40)}}!" }"""), false);
        var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        Assert.Equal("/body/a", violation?.Pointer);
        Assert.StartsWith("took too long to match the pattern", violation?.Detail, StringComparison.Ordinal);
        Assert.True(elapsed < TimeSpan.FromSeconds(5), $"took {elapsed}");
    }

    [Fact]
    public void Long_member_names_are_cut_in_pointers()
    {
        var document = SchemaTestDocuments.Load(SchemaTestDocuments.BodyDocument("""{ "additionalProperties": false }"""));
        var name = new string('n', 500);
        Assert.Equal("/body/" + new string('n', 64) + "…", SchemaTestDocuments.BodyFailure(document, $$"""{ "{{name}}": 1 }"""));
    }

    [Fact]
    public void Messages_say_what_is_wrong()
    {
        var document = SchemaTestDocuments.Load(SchemaTestDocuments.BodyDocument(
            """{ "properties": { "qty": { "type": "integer", "minimum": 1 } } }"""));
        var violation = document.Validate(SchemaTestDocuments.Request("POST", "/t", body: """{ "qty": 0 }"""), false);
        Assert.Equal(new SchemaViolation(400, "schema_invalid", "/body/qty", "must be >= 1"), violation);
    }
}
