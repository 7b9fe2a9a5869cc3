namespace Bulwark.Core.Fingerprints;

/// <summary>One fingerprint the catalogue knows.</summary>
/// <param name="Ja4">The JA4 fingerprint.</param>
/// <param name="Ja3">The JA3 hash when it is stable for the client (null for clients that shuffle extensions, like Chromium).</param>
/// <param name="Family">The client family (<c>chromium</c>, <c>firefox</c>, <c>safari</c>, <c>curl</c>, <c>python-requests</c>, <c>go-http</c>, <c>node</c>, <c>java</c>, <c>dotnet</c> …).</param>
/// <param name="Kind"><c>browser</c>, <c>library</c>, <c>tool</c> or <c>automation</c>.</param>
/// <param name="Client">What was captured, for people (for example <c>curl 8.14.1 (OpenSSL 3.5)</c>).</param>
/// <param name="Captured">The date of the capture (<c>yyyy-MM-dd</c>, UTC), or null when not recorded.</param>
public sealed record CatalogueEntry(string Ja4, string? Ja3, string Family, string Kind, string? Client, string? Captured = null)
{
    /// <summary>True for browser engines.</summary>
    public bool IsBrowser => Kind == "browser";
}
