using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Bulwark.Cli.Demo;

/// <summary>
/// The demo API of CONTRACTS.md §6: a small shop with a login, an OTP sender and an expensive inference endpoint, so
/// the default policy has something real to protect. Its data is made up and kept in memory.
/// </summary>
internal static class DemoApi
{
    /// <summary>The demo's one valid login.</summary>
    public const string DemoUser = "alice@example.com";

    /// <summary>Its password.</summary>
    public const string DemoPassword = "correct-horse-battery-staple";

    public static IEndpointRouteBuilder MapDemoApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", () => Results.Content(HomePage, "text/html; charset=utf-8"));

        app.MapPost("/api/auth/login", (LoginRequest? body) =>
            body is { Username: DemoUser, Password: DemoPassword }
                ? Results.Ok(new { token = "demo-" + Guid.NewGuid().ToString("N")[..16], account = DemoUser })
                : Results.Problem(statusCode: 401, title: "Unauthorized", detail: "Wrong username or password."));

        app.MapGet("/api/account", () => Results.Ok(new { account = DemoUser, name = "Alice", accounts = new[] { "checking", "savings" } }));

        app.MapPost("/api/account/select", (SelectRequest? body) =>
            body?.Account is "checking" or "savings"
                ? Results.Ok(new { selected = body.Account })
                : Results.Problem(statusCode: 400, title: "Bad Request", detail: "account must be 'checking' or 'savings'."));

        app.MapGet("/api/products/{id:long}", (long id) =>
            id is >= 1 and <= 50_000
                ? Results.Ok(new { id, name = $"Product {id}", price = Math.Round(5 + ((id * 7919) % 9_500) / 100.0, 2) })
                : Results.Problem(statusCode: 404, title: "Not Found", detail: $"No product {id}."));

        app.MapGet("/api/search", (string? q) =>
        {
            var term = (q ?? "").Trim();
            var hits = term.Length == 0
                ? []
                : Enumerable.Range(1, 5).Select(i => new { id = (Math.Abs(term.GetHashCode(StringComparison.Ordinal)) % 49_990) + i, name = $"{term} #{i}" }).ToArray();
            return Results.Ok(new { q = term, hits });
        });

        app.MapPost("/api/cart/items", (CartItem? body) =>
            body is { Sku.Length: > 0, Qty: >= 1 and <= 10 }
                ? Results.Created("/api/cart", new { sku = body.Sku, qty = body.Qty })
                : Results.Problem(statusCode: 400, title: "Bad Request", detail: "sku is required and qty must be 1–10."));

        app.MapPost("/api/otp/send", (OtpRequest? body) =>
            body?.Phone is { Length: >= 6 and <= 20 } phone && phone.All(c => char.IsAsciiDigit(c) || c is '+' or ' ' or '-')
                ? Results.Accepted(value: new { sent = true })
                : Results.Problem(statusCode: 400, title: "Bad Request", detail: "phone must be a phone number."));

        app.MapPost("/api/inference", async (JsonElement? body, CancellationToken cancellationToken) =>
        {
            // Stands in for a model call: expensive enough that its cost matters.
            await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken).ConfigureAwait(false);
            var prompt = body is { ValueKind: JsonValueKind.Object } json && json.TryGetProperty("prompt", out var p) ? p.ToString() : "";
            return Results.Ok(new { output = string.Create(CultureInfo.InvariantCulture, $"echo: {prompt}"), tokens = prompt.Length });
        });

        app.MapGet("/api/users/{id:long}", (long id) =>
            id is >= 1 and <= 1_000
                ? Results.Ok(new { id, name = $"user{id}" })
                : Results.Problem(statusCode: 404, title: "Not Found", detail: $"No user {id}."));

        return app;
    }

    internal sealed record LoginRequest(string? Username, string? Password);

    internal sealed record SelectRequest(string? Account);

    internal sealed record CartItem(string? Sku, int Qty);

    internal sealed record OtpRequest(string? Phone);

    private const string HomePage = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>Bulwark demo shop</title></head>
        <body><h1>Bulwark demo shop</h1><p>This page and the API under <code>/api/</code> are protected by Bulwark.</p></body></html>
        """;
}
