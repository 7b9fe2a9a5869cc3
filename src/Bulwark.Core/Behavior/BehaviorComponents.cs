using Bulwark.Core.Lists;
using Bulwark.Core.Pipeline;
using Bulwark.Core.Policy;
using Bulwark.Core.Scoring;

namespace Bulwark.Core.Behavior;

/// <summary>The behavioural detectors, sharing one <see cref="BehaviorState"/>.</summary>
public static class BehaviorComponents
{
    /// <summary>
    /// Every behavioural detector for <paramref name="options"/> (none when <c>Behavior:Enabled</c> is false), banning into
    /// <paramref name="bans"/> — pass the engine's ban list.
    /// </summary>
    public static IDetector[] Detectors(BulwarkOptions options, BanList bans)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(bans);
        if (!options.Behavior.Enabled)
        {
            return [];
        }

        var state = new BehaviorState(options.Behavior, options.Ipv6Prefix, bans);
        return
        [
            new HoneypotDetector(state),
            new SequenceDetector(state),
            new TimingDetector(state),
            new EnumerationDetector(state),
            new StuffingDetector(state),
            new VelocityDetector(state),
            new ClusterActivityDetector(state),
            new ApiKeyMisuseDetector(state),
            new RepeatOffenderDetector(state),
        ];
    }
}
