namespace Bulwark.Core.Policy;

/// <summary>One admin token: its SHA-256 (the token itself never sits in the configuration) and its role.</summary>
public sealed record GatewayAdminTokenOptions
{
    /// <summary>A label for logs. Required.</summary>
    public string Name { get; init; } = "";

    /// <summary><c>viewer</c> (read), <c>operator</c> (read, ban and unban) or <c>admin</c> (everything). Default <c>viewer</c>.</summary>
    public string Role { get; init; } = "viewer";

    /// <summary>The token's SHA-256 as 64 hex digits (<c>printf %s "$TOKEN" | sha256sum</c>). Required.</summary>
    public string Sha256 { get; init; } = "";
}
