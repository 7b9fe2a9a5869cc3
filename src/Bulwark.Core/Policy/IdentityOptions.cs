namespace Bulwark.Core.Policy;

/// <summary>Where the front doors find a request's identities.</summary>
public sealed record IdentityOptions
{
    /// <summary>Header that carries the API key (default <c>X-Api-Key</c>). A <c>Bearer</c> token is not taken as a key.</summary>
    public string ApiKeyHeader { get; init; } = "X-Api-Key";

    /// <summary>Cookie that carries the session id (default <c>session</c>).</summary>
    public string SessionCookie { get; init; } = "session";

    /// <summary>Header that carries the session id when there is no cookie (default <c>X-Session-Id</c>).</summary>
    public string SessionHeader { get; init; } = "X-Session-Id";

    /// <summary>Top-level JSON body fields that name the account, tried in order (default <c>username</c>, <c>email</c>).</summary>
    public IReadOnlyList<string> AccountBodyFields { get; init; } = ["username", "email"];

    /// <summary>Largest JSON body read for body fields, in bytes (default 16384). Larger bodies pass unread.</summary>
    public int MaxBodyBytes { get; init; } = 16_384;
}
