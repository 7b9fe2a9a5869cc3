using Bulwark.Core.Schema;
using Bulwark.Core.Tests.Data;
using static Bulwark.Core.Tests.Schema.SchemaTestDocuments;

namespace Bulwark.Core.Tests.Schema;

/// <summary>samples/demo-openapi.yaml describes every demo route (CONTRACTS.md §6): what the demo accepts passes, the rest fails.</summary>
public sealed class DemoOpenApiDocumentTests
{
    private static readonly SchemaDocument Document = LoadDemo();

    public static TheoryData<string, string, string?, string?, string?> Requests => new()
    {
        { "GET", "/", null, null, null },
        { "POST", "/api/auth/login", null, """{ "username": "alice@example.com", "password": "correct horse" }""", null },
        { "POST", "/api/auth/login", null, """{ "username": "alice@example.com" }""", "/body/password" },
        { "POST", "/api/auth/login", null, """{ "username": "", "password": "x" }""", "/body/username" },
        { "POST", "/api/auth/login", null, """{ "username": "a", "password": "x", "admin": true }""", "/body/admin" },
        { "POST", "/api/auth/login", null, """["alice"]""", "/body" },
        { "GET", "/api/account", null, null, null },
        { "POST", "/api/account/select", null, """{ "account": "savings" }""", null },
        { "POST", "/api/account/select", null, """{ "account": "offshore" }""", "/body/account" },
        { "GET", "/api/products/17", null, null, null },
        { "GET", "/api/products/50000", null, null, null },
        { "GET", "/api/products/0", null, null, "/path/id" },
        { "GET", "/api/products/abc", null, null, "/path/id" },
        { "GET", "/api/products/1.5", null, null, "/path/id" },
        { "GET", "/api/search", "q=red+shoes", null, null },
        { "GET", "/api/search", null, null, null },
        { "GET", "/api/search", "q=" + new string('x', 201), null, "/query/q" },
        { "POST", "/api/cart/items", null, """{ "sku": "SKU-LIMITED-DROP-2026", "qty": 2 }""", null },
        { "POST", "/api/cart/items", null, """{ "sku": "SKU-1", "qty": 11 }""", "/body/qty" },
        { "POST", "/api/cart/items", null, """{ "sku": "SKU-1", "qty": "2" }""", "/body/qty" },
        { "POST", "/api/cart/items", null, """{ "sku": "sku 1", "qty": 1 }""", "/body/sku" },
        { "POST", "/api/cart/items", null, """{ "qty": 1 }""", "/body/sku" },
        { "POST", "/api/otp/send", null, """{ "phone": "+44 7700 900123" }""", null },
        { "POST", "/api/otp/send", null, """{ "phone": "call me" }""", "/body/phone" },
        { "POST", "/api/otp/send", null, """{ "phone": "+4477009001234567890123" }""", "/body/phone" },
        { "POST", "/api/inference", null, """{ "prompt": "hello", "max_tokens": 64, "temperature": 0.7 }""", null },
        { "POST", "/api/inference", null, """{ "prompt": "hello", "max_tokens": 100000 }""", "/body/max_tokens" },
        { "POST", "/api/inference", null, """{ "prompt": "" }""", "/body/prompt" },
        { "GET", "/api/users/12", null, null, null },
        { "GET", "/api/users/-1", null, null, "/path/id" },
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public void Demo_route(string method, string path, string? query, string? body, string? pointer)
    {
        var violation = Document.Validate(Request(method, path, query, body), rejectUndefinedRoutes: true);
        Assert.Equal(pointer, violation?.Pointer);
    }

    [Fact]
    public void Every_demo_route_is_in_the_document_and_nothing_else()
    {
        Assert.Equal(10, Document.OperationCount);
        Assert.Empty(Document.Warnings);
        Assert.Equal(404, Document.Validate(Request("GET", "/api/admin"), rejectUndefinedRoutes: true)?.StatusCode);
        Assert.Equal(405, Document.Validate(Request("DELETE", "/api/account"), rejectUndefinedRoutes: true)?.StatusCode);
        Assert.Equal("/body", Document.Validate(Request("POST", "/api/cart/items", state: RequestBodyState.Empty), true)?.Pointer);
    }

    internal static string DemoDocumentPath => Path.Combine(TestData.RepositoryRoot, "samples", "demo-openapi.yaml");

    private static SchemaDocument LoadDemo()
    {
        var result = SchemaDocument.Load(DemoDocumentPath);
        Assert.True(result.Document is not null, string.Join("\n", result.Errors));
        return result.Document!;
    }
}
