using System.Collections.Frozen;

namespace Bulwark.Core.Policy;

/// <summary>A policy, ready to apply.</summary>
public sealed class CompiledPolicy
{
    private readonly FrozenDictionary<string, int> _weights;

    internal CompiledPolicy(string name, PolicyOptions options, bool globalMonitor)
    {
        Name = name;
        Monitor = globalMonitor || options.Mode == "monitor";
        FailClosed = options.FailMode == "closed";
        DelayThreshold = options.Thresholds.Delay;
        ChallengeThreshold = options.Thresholds.Challenge;
        BlockThreshold = options.Thresholds.Block;
        BaseDelay = TimeSpan.FromMilliseconds(options.Delay.BaseMs);
        MaxDelay = TimeSpan.FromMilliseconds(options.Delay.MaxMs);
        _weights = options.Signals.ToFrozenDictionary(StringComparer.Ordinal);
        Consumer = options.Consumer;
        StepUp = options.StepUp;
        AllowedCountries = options.Countries.Allow.ToFrozenSet(StringComparer.OrdinalIgnoreCase);
        DeniedCountries = options.Countries.Deny.ToFrozenSet(StringComparer.OrdinalIgnoreCase);
        Login = options.Login is { } login ? new Bulwark.Core.Protections.CompiledLogin(login) : null;
        var presets = Bulwark.Core.Protections.ProtectionLimits.Expand(name, options, Login);
        var limits = new CompiledLimit[options.Limits.Count + presets.Count];
        presets.CopyTo(limits, options.Limits.Count);
        var bodyFields = new List<string>();
        for (var i = 0; i < limits.Length; i++)
        {
            limits[i] ??= new CompiledLimit(name, options.Limits[i]);
            foreach (var part in limits[i].Key.Parts)
            {
                if (part.Kind == Bulwark.Core.Limits.KeyPartKind.BodyField && !bodyFields.Contains(part.Argument!))
                {
                    bodyFields.Add(part.Argument!);
                }
            }
        }

        LimitArray = limits;
        if (options.Behavior.Stuffing.Enabled && !bodyFields.Contains(options.Behavior.Stuffing.PasswordField))
        {
            bodyFields.Add(options.Behavior.Stuffing.PasswordField);
        }

        BodyFields = bodyFields;
        Behavior = Bulwark.Core.Behavior.CompiledBehavior.Compile(options.Behavior);
    }

    /// <summary>The policy's name.</summary>
    public string Name { get; }

    /// <summary>Whether decisions are computed and logged but not enforced (this policy's mode, or the global one).</summary>
    public bool Monitor { get; }

    /// <summary>Whether a failing shared store refuses requests (503) rather than letting them through.</summary>
    public bool FailClosed { get; }

    /// <summary>Score from which requests are delayed; 0 disables.</summary>
    public int DelayThreshold { get; }

    /// <summary>Score from which requests are challenged; 0 disables.</summary>
    public int ChallengeThreshold { get; }

    /// <summary>Score from which requests are blocked; 0 disables.</summary>
    public int BlockThreshold { get; }

    /// <summary>Delay at the delay threshold.</summary>
    public TimeSpan BaseDelay { get; }

    /// <summary>The longest delay.</summary>
    public TimeSpan MaxDelay { get; }

    /// <summary>The policy's behavioural detector settings.</summary>
    public Bulwark.Core.Behavior.CompiledBehavior Behavior { get; }

    /// <summary>The policy's limits.</summary>
    public IReadOnlyList<CompiledLimit> Limits => LimitArray;

    /// <summary>The limits as an array, for the request path (no interface call per limit).</summary>
    internal CompiledLimit[] LimitArray { get; }

    /// <summary>JSON body fields its limits key on; front doors parse the body only when this is not empty (or an account field is wanted).</summary>
    public IReadOnlyList<string> BodyFields { get; }

    /// <summary>The login preset, or null when the policy has none.</summary>
    public Bulwark.Core.Protections.CompiledLogin? Login { get; }

    /// <summary>Whether people, not servers, use these routes (hosting networks are then suspicious).</summary>
    public bool Consumer { get; }

    /// <summary>Whether hosting-network requests are stepped up (passed with a second-factor request) instead of refused by score.</summary>
    public bool StepUp { get; }

    /// <summary>Countries allowed (empty: all).</summary>
    public FrozenSet<string> AllowedCountries { get; }

    /// <summary>Countries not allowed.</summary>
    public FrozenSet<string> DeniedCountries { get; }

    /// <summary>Whether a request from <paramref name="country"/> breaks this policy's country rules.</summary>
    public bool IsCountryRefused(string country) =>
        DeniedCountries.Contains(country) || (AllowedCountries.Count > 0 && !AllowedCountries.Contains(country));

    /// <summary>The weight of <paramref name="signal"/> in this policy.</summary>
    public int WeightOf(string signal, int defaultWeight) =>
        _weights.Count != 0 && _weights.TryGetValue(signal, out var weight) ? weight : defaultWeight;
}
