namespace Bulwark.Core.Behavior;

/// <summary>
/// Credential stuffing and spraying on login routes (<c>Behavior.Stuffing</c>): distinct accounts tried per IP group,
/// subnet, ASN and fingerprint cluster within <see cref="WindowSeconds"/>, their failure ratio, and one password tried
/// across many accounts. The password is hashed with a key drawn at random per process and never stored or logged.
/// </summary>
public sealed record StuffingOptions
{
    /// <summary>Whether the policy's routes are login routes to watch (default false).</summary>
    public bool Enabled { get; init; }

    /// <summary>Body field holding the password (default <c>password</c>).</summary>
    public string PasswordField { get; init; } = "password";

    /// <summary>Window in seconds over which accounts are counted (default 3600).</summary>
    public int WindowSeconds { get; init; } = 3_600;

    /// <summary>Distinct accounts from one IP group that raise <c>stuffing_accounts_ip</c> (default 5).</summary>
    public int AccountsPerIp { get; init; } = 5;

    /// <summary>Distinct accounts from one subnet (IPv4 /24, IPv6 /48), with the failure ratio reached (default 20).</summary>
    public int AccountsPerSubnet { get; init; } = 20;

    /// <summary>Distinct accounts from one ASN, with the failure ratio reached (default 100; needs IP intelligence).</summary>
    public int AccountsPerAsn { get; init; } = 100;

    /// <summary>Distinct accounts from one fingerprint cluster, with the failure ratio reached (default 50).</summary>
    public int AccountsPerCluster { get; init; } = 50;

    /// <summary>Distinct accounts tried with one password that raise <c>stuffing_password_spray</c> (default 5).</summary>
    public int AccountsPerPassword { get; init; } = 5;

    /// <summary>Share of failed logins of a group from which it counts as failing (default 0.5).</summary>
    public double FailureRatio { get; init; } = 0.5;

    /// <summary>Logins of a group observed before its failure ratio is judged (default 10).</summary>
    public int MinAttempts { get; init; } = 10;

    /// <summary>Upstream statuses that mean a failed login (default 401 and 403).</summary>
    public IReadOnlyList<int> FailureStatuses { get; init; } = [401, 403];
}
