namespace Bulwark.Core.Policy;

/// <summary>
/// <c>Bulwark:Fingerprints</c>: where client identity comes from behind a CDN, which fingerprints are refused, and the
/// data files the identity detectors read. See docs/fingerprints.md.
/// </summary>
public sealed record FingerprintOptions
{
    /// <summary>
    /// Request headers carrying a JA3 hash set by a TLS-terminating proxy, read only when the socket peer is in
    /// <c>TrustedProxies</c>; first present wins. Default: Cloudflare's <c>cf-ja3-hash</c>, CloudFront's <c>CloudFront-Viewer-JA3-Fingerprint</c>.
    /// </summary>
    public IReadOnlyList<string> Ja3Headers { get; init; } = ["cf-ja3-hash", "CloudFront-Viewer-JA3-Fingerprint"];

    /// <summary>As <see cref="Ja3Headers"/> for JA4. Default: <c>cf-ja4</c>, <c>CloudFront-Viewer-JA4-Fingerprint</c>.</summary>
    public IReadOnlyList<string> Ja4Headers { get; init; } = ["cf-ja4", "CloudFront-Viewer-JA4-Fingerprint"];

    /// <summary>JA4 or JA3 values refused outright (signal <c>fingerprint_denied</c>). Default: none.</summary>
    public IReadOnlyList<string> Deny { get; init; } = [];

    /// <summary>A catalogue file to use instead of the one built in (same format as src/Bulwark.Core/Fingerprints/catalogue.json). Default: null, the built-in one.</summary>
    public string? Catalogue { get; init; }

    /// <summary>
    /// The <c>crawler-user-agents.json</c> of the npm package of that name, for the <c>declared_bot</c> signal. Default: null,
    /// which looks in <c>~/.cache/bulwark/data/crawler-user-agents/package/</c> and goes without when it is not there.
    /// </summary>
    public string? CrawlerList { get; init; }
}
