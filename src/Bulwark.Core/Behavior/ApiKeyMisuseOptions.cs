namespace Bulwark.Core.Behavior;

/// <summary>
/// API key misuse against the key's own history (<c>Behavior.ApiKeys</c>), per window of <see cref="WindowSeconds"/>:
/// more than <see cref="RateFactor"/> times its usual requests, more than <see cref="NewIps"/> new IP groups, an error
/// ratio over <see cref="ErrorRatio"/>, more than <see cref="NewCountries"/> new countries.
/// </summary>
public sealed record ApiKeyMisuseOptions
{
    /// <summary>Whether keys are watched (default true).</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Window in seconds (default 3600).</summary>
    public int WindowSeconds { get; init; } = 3_600;

    /// <summary>Multiple of the key's baseline requests per window that raises <c>apikey_rate</c> (default 3).</summary>
    public double RateFactor { get; init; } = 3.0;

    /// <summary>Requests in a window before the rate is judged, and the floor of the baseline (default 20).</summary>
    public int MinRequests { get; init; } = 20;

    /// <summary>New IP groups in a window that raise <c>apikey_new_ips</c> (default 10).</summary>
    public int NewIps { get; init; } = 10;

    /// <summary>Error ratio (status ≥ 400) in a window that raises <c>apikey_errors</c> (default 0.5).</summary>
    public double ErrorRatio { get; init; } = 0.5;

    /// <summary>New countries in a window that raise <c>apikey_new_countries</c> (default 3; needs IP intelligence).</summary>
    public int NewCountries { get; init; } = 3;

    /// <summary>
    /// Whether to raise <c>apikey_new_source</c> (default true): after <see cref="SourceWarmupSeconds"/>, a request of a
    /// server key (never used from a browser, by few clients) from a subnet <b>and</b> a fingerprint cluster the key was
    /// never seen with, while one of its known sources was active within <see cref="SourceActiveSeconds"/>.
    /// </summary>
    public bool NewSources { get; init; } = true;

    /// <summary>Seconds from a key's first request during which every source it is used from is learned (default 600).</summary>
    public int SourceWarmupSeconds { get; init; } = 600;

    /// <summary>
    /// How recently one of the key's known sources must have been active for a new source to be flagged (default 900).
    /// A key whose known sources have fallen silent has moved (new servers, new client): its new source is learned instead.
    /// </summary>
    public int SourceActiveSeconds { get; init; } = 900;
}
