using Bulwark.Core.Limits;
using Bulwark.Core.Protections;

namespace Bulwark.Core.Policy;

/// <summary>A limit of a policy, ready to count.</summary>
public sealed class CompiledLimit
{
    private readonly bool[] _failureStatus = new bool[600];

    internal CompiledLimit(string policyName, LimitOptions options)
    {
        Name = options.Name;
        KeyPrefix = policyName + "/" + options.Name;
        Key = LimitKeySpec.TryParse(options.Key, out var spec, out var error) ? spec : throw new FormatException(error);
        Algorithm = options.Algorithm switch
        {
            "sliding_window" => LimitAlgorithm.SlidingWindow,
            "gcra" => LimitAlgorithm.Gcra,
            "fixed_window" => LimitAlgorithm.FixedWindow,
            "concurrency" => LimitAlgorithm.Concurrency,
            _ => LimitAlgorithm.TokenBucket,
        };
        Count = options.Count switch
        {
            "cost" => LimitCount.Cost,
            "failures" => LimitCount.Failures,
            _ => LimitCount.Requests,
        };
        Rate = RateSpec.Parse(options.Rate);
        Burst = Math.Max(1, options.Burst ?? Rate.Permits);
        DelayOnLimit = options.OnLimit == "delay";
        var tiers = new CompiledTier[options.Tiers.Count];
        for (var i = 0; i < tiers.Length; i++)
        {
            var tierRate = RateSpec.Parse(options.Tiers[i].Rate);
            tiers[i] = new CompiledTier(options.Tiers[i].When, tierRate, Math.Max(1, options.Tiers[i].Burst ?? tierRate.Permits));
        }

        TierArray = tiers;
        foreach (var status in options.FailureStatuses)
        {
            if (status.Length == 3 && status.EndsWith("xx", StringComparison.OrdinalIgnoreCase) && status[0] is >= '1' and <= '5')
            {
                var start = (status[0] - '0') * 100;
                Array.Fill(_failureStatus, true, start, 100);
            }
            else if (int.TryParse(status, out var code) && code is >= 100 and < 600)
            {
                _failureStatus[code] = true;
            }
        }
    }

    /// <summary>The limit's name.</summary>
    public string Name { get; }

    /// <summary>The prefix of its counter keys: <c>policy/limit</c>.</summary>
    public string KeyPrefix { get; }

    /// <summary>What it counts by.</summary>
    public LimitKeySpec Key { get; }

    /// <summary>How it counts.</summary>
    public LimitAlgorithm Algorithm { get; }

    /// <summary>What spends permits.</summary>
    public LimitCount Count { get; }

    /// <summary>The base rate.</summary>
    public RateSpec Rate { get; }

    /// <summary>The base bucket size.</summary>
    public long Burst { get; }

    /// <summary>Whether an exceeded limit delays (progressively, capped) instead of refusing.</summary>
    public bool DelayOnLimit { get; }

    /// <summary>Rates by risk tier, first match wins.</summary>
    public IReadOnlyList<CompiledTier> Tiers => TierArray;

    internal CompiledTier[] TierArray { get; }

    /// <summary>What the key counts by, as reasons write it (the key text, or a preset's description of it).</summary>
    public string KeyText => KeyDescription ?? Key.Text;

    /// <summary>Set on limits expanded from a preset (login, OTP, budget): what the engine does with them beyond counting.</summary>
    internal ProtectionRole Role { get; init; }

    /// <summary>For preset limits: how reasons describe the key.</summary>
    internal string? KeyDescription { get; init; }

    /// <summary>For login limits: the preset's settings.</summary>
    internal CompiledLogin? Login { get; init; }

    /// <summary>For the login lockout count: the lock it sets when the count is reached.</summary>
    internal CompiledLimit? LockLimit { get; init; }

    /// <summary>For OTP destination limits: how the destination is read and normalised.</summary>
    internal OtpOptions? Otp { get; init; }

    /// <summary>Whether a response status counts as a failure for a failure-counting limit.</summary>
    public bool IsFailure(int statusCode) => statusCode is >= 100 and < 600 && _failureStatus[statusCode];
}

/// <summary>A rate for one risk tier.</summary>
/// <param name="When">The tier.</param>
/// <param name="Rate">The rate.</param>
/// <param name="Burst">The bucket size.</param>
public sealed record CompiledTier(string When, RateSpec Rate, long Burst);
