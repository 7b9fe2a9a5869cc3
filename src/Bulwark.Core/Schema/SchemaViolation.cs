namespace Bulwark.Core.Schema;

/// <summary>
/// Why a request does not conform to the OpenAPI document: the answer's status (400, 404, 405 or 413), a stable reason code,
/// the JSON pointer of the first failing value, and what is wrong with it.
/// </summary>
/// <param name="StatusCode">400 invalid request, 404 route not in the document, 405 method not in the document, 413 body too large.</param>
/// <param name="ReasonCode">A <see cref="Decisions.ReasonCodes"/> value (<c>schema_invalid</c>, <c>schema_undefined_route</c>, …).</param>
/// <param name="Pointer">
/// RFC 6901 pointer into the request seen as <c>{"path":{…},"query":{…},"body":…}</c>: <c>/body/items/0/qty</c>,
/// <c>/query/limit</c>, <c>/path/id</c>, <c>/body</c> for the body as a whole. Null for route-level refusals.
/// </param>
/// <param name="Detail">What is wrong, for the client (for example <c>must be &gt;= 1</c>).</param>
public sealed record SchemaViolation(int StatusCode, string ReasonCode, string? Pointer, string Detail);
