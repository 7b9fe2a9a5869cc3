using Bulwark.Core.Fingerprints;
using Bulwark.Core.Policy;

namespace Bulwark.Core.Identity;

/// <summary>
/// The shared lookups of the identity detectors: the User-Agent parser (with the crawler list when one is found), the
/// fingerprint catalogue and the deny list. One instance per configuration; thread-safe.
/// </summary>
public sealed class ClientIdentity
{
    /// <summary>Creates the lookups from their parts.</summary>
    public ClientIdentity(UserAgentParser userAgents, FingerprintCatalogue catalogue, IEnumerable<string>? deny = null)
    {
        ArgumentNullException.ThrowIfNull(userAgents);
        ArgumentNullException.ThrowIfNull(catalogue);
        UserAgents = userAgents;
        Catalogue = catalogue;
        Deny = new HashSet<string>(deny ?? [], StringComparer.Ordinal);
    }

    /// <summary>The User-Agent parser.</summary>
    public UserAgentParser UserAgents { get; }

    /// <summary>The fingerprint catalogue.</summary>
    public FingerprintCatalogue Catalogue { get; }

    /// <summary>JA4 and JA3 values refused outright.</summary>
    public IReadOnlySet<string> Deny { get; }

    /// <summary>
    /// Builds the lookups <paramref name="options"/> names: its catalogue file or the built-in one, its crawler list or the
    /// one in the npm data cache when present (else none: <c>declared_bot</c> then never fires).
    /// </summary>
    public static ClientIdentity Create(FingerprintOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var catalogue = FingerprintCatalogue.BuiltIn;
        if (options.Catalogue is { } path)
        {
            catalogue = FingerprintCatalogue.TryLoad(path, out var loaded, out var error) ? loaded : throw new InvalidDataException(error);
        }

        var crawlerPath = options.CrawlerList ?? DefaultCrawlerListPath();
        var crawlers = crawlerPath is not null && File.Exists(crawlerPath) ? CrawlerList.Load(crawlerPath) : null;
        return new ClientIdentity(new UserAgentParser(crawlers), catalogue, options.Deny);
    }

    /// <summary>The catalogue entry of the request's TLS fingerprint, or null.</summary>
    public CatalogueEntry? Family(RequestContext request) =>
        request.Tls is { } tls ? Catalogue.Lookup(tls.Ja4, tls.Ja3) : null;

    /// <summary><c>~/.cache/bulwark/data/crawler-user-agents/package/crawler-user-agents.json</c> (or under <c>$BULWARK_DATA_DIR</c>).</summary>
    public static string? DefaultCrawlerListPath()
    {
        var root = Environment.GetEnvironmentVariable("BULWARK_DATA_DIR") is { Length: > 0 } dir
            ? dir
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "bulwark", "data");
        return Path.Combine(root, "crawler-user-agents", "package", "crawler-user-agents.json");
    }
}
