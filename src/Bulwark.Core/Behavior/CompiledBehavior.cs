using Bulwark.Core.Policy;

namespace Bulwark.Core.Behavior;

/// <summary>A policy's behaviour settings, ready to apply: sequence steps with their patterns compiled.</summary>
public sealed class CompiledBehavior
{
    internal CompiledBehavior(PolicyBehaviorOptions options)
    {
        Options = options;
        Steps = options.Sequences.Select(step => new CompiledStep(
            RoutePattern.Parse(step.Route),
            step.After.Select(a => (uint)BehaviorHash.Of(a)).ToArray(),
            TimeSpan.FromMilliseconds(step.MinDwellMs).Ticks,
            TimeSpan.FromSeconds(step.WithinSeconds).Ticks,
            step.Route,
            string.Join(" or ", step.After))).ToArray();
        FailureStatuses = [.. options.Stuffing.FailureStatuses];
    }

    /// <summary>The settings as configured.</summary>
    public PolicyBehaviorOptions Options { get; }

    internal CompiledStep[] Steps { get; }

    internal int[] FailureStatuses { get; }

    /// <summary>Defaults: what a policy without a <c>Behavior</c> section gets.</summary>
    public static CompiledBehavior Default { get; } = new(new PolicyBehaviorOptions());

    internal static CompiledBehavior Compile(PolicyBehaviorOptions options) =>
        ReferenceEquals(options, Default.Options) ? Default : new CompiledBehavior(options);
}

/// <summary>One sequence step: the route it guards, hashes of its prerequisites, the dwell and validity in ticks.</summary>
internal sealed record CompiledStep(RoutePattern Pattern, uint[] After, long MinDwellTicks, long WithinTicks, string RouteText, string AfterText);
