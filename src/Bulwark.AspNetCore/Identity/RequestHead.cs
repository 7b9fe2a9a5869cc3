namespace Bulwark.AspNetCore.Identity;

/// <summary>One HTTP/1.x request head as it crossed the wire: request line and header names in order.</summary>
internal sealed record RequestHead(string Method, string Target, string[] HeaderNames);
