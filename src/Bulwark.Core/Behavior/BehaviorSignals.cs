namespace Bulwark.Core.Behavior;

/// <summary>Names and default weights of the behavioural signals. Policies override weights under <c>Signals</c>.</summary>
public static class BehaviorSignals
{
    /// <summary>A sequence step reached without its prerequisite (default weight 40).</summary>
    public const string SequenceMissingStep = "sequence_missing_step";

    /// <summary>A sequence step reached sooner after its prerequisite than the minimum dwell (default weight 40).</summary>
    public const string SequenceTooFast = "sequence_too_fast";

    /// <summary>Metronome-regular inter-request intervals (default weight 30).</summary>
    public const string TimingRegular = "timing_regular";

    /// <summary>A burst of requests to one route faster than people click (default weight 30).</summary>
    public const string TimingBurst = "timing_burst";

    /// <summary>Numeric identifiers walked in small steps (default weight 40).</summary>
    public const string EnumerationSequential = "enumeration_sequential";

    /// <summary>A high share of 404 answers (default weight 40).</summary>
    public const string EnumerationNotFound = "enumeration_not_found";

    /// <summary>Many distinct resources asked for by one actor within a window (default weight 30).</summary>
    public const string EnumerationDistinct = "enumeration_distinct";

    /// <summary>A long run of requests just under the rate limit (default weight 30).</summary>
    public const string EnumerationNearLimit = "enumeration_near_limit";

    /// <summary>Many distinct accounts tried from one IP group (default weight 50).</summary>
    public const string StuffingAccountsIp = "stuffing_accounts_ip";

    /// <summary>Many distinct accounts, mostly failing, from one subnet (default weight 50).</summary>
    public const string StuffingAccountsSubnet = "stuffing_accounts_subnet";

    /// <summary>Many distinct accounts, mostly failing, from one ASN (default weight 40).</summary>
    public const string StuffingAccountsAsn = "stuffing_accounts_asn";

    /// <summary>Many distinct accounts, mostly failing, from one fingerprint cluster (default weight 50).</summary>
    public const string StuffingAccountsCluster = "stuffing_accounts_cluster";

    /// <summary>One password tried against many accounts (default weight 60).</summary>
    public const string StuffingPasswordSpray = "stuffing_password_spray";

    /// <summary>Most logins from one IP group fail (default weight 40).</summary>
    public const string StuffingFailureRatio = "stuffing_failure_ratio";

    /// <summary>A fingerprint cluster over-represented on a route running far above its baseline (default weight 80).</summary>
    public const string VelocityCluster = "velocity_cluster";

    /// <summary>
    /// A stateless, evidence-bearing request of a fingerprint cluster that sends one request or two from each of many
    /// addresses at a rate (default weight 60).
    /// </summary>
    public const string ClusterChurn = "cluster_churn";

    /// <summary>A stateless request of a cluster whose TLS contradicts its User-Agent, running above the ceiling (default weight 60).</summary>
    public const string ClusterCeiling = "cluster_ceiling";

    /// <summary>An API key used far above its own baseline (default weight 40).</summary>
    public const string ApiKeyRate = "apikey_rate";

    /// <summary>An API key used from many new IP groups (default weight 40).</summary>
    public const string ApiKeyNewIps = "apikey_new_ips";

    /// <summary>Most of an API key's requests fail (default weight 30).</summary>
    public const string ApiKeyErrors = "apikey_errors";

    /// <summary>An API key used from many new countries (default weight 50).</summary>
    public const string ApiKeyNewCountries = "apikey_new_countries";

    /// <summary>
    /// An established server key used from a network and a client it was never seen with while its usual clients are
    /// active (default weight 80).
    /// </summary>
    public const string ApiKeyNewSource = "apikey_new_source";

    /// <summary>A honeypot route was requested (default weight 100).</summary>
    public const string Honeypot = "honeypot";

    /// <summary>The request's fingerprint cluster is banned (default weight 100).</summary>
    public const string BannedCluster = "banned_cluster";
}
