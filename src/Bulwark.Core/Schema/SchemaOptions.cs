namespace Bulwark.Core.Schema;

/// <summary>
/// <c>Bulwark:Schema</c>: validate requests against an OpenAPI 3.0/3.1 document before they reach the upstream
/// (docs/schema.md). Off unless <see cref="Document"/> is set.
/// </summary>
public sealed record SchemaOptions
{
    /// <summary>
    /// Path of the OpenAPI document (JSON or YAML), relative to the working directory. Default null: no schema validation.
    /// </summary>
    public string? Document { get; init; }

    /// <summary>
    /// Refuse covered requests whose path the document does not define (404) or whose method it does not define for that path
    /// (405). Default false: such requests pass unvalidated.
    /// </summary>
    public bool RejectUndefinedRoutes { get; init; }

    /// <summary>Policies whose requests are validated. Default empty: every policy's.</summary>
    public IReadOnlyList<string> Policies { get; init; } = [];
}
