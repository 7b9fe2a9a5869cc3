namespace Bulwark.Core.Behavior;

/// <summary>
/// Behavioural detectors of one policy (<c>Policies.NAME.Behavior</c>). Timing, enumeration, velocity and API-key misuse
/// are on by default; sequences and credential stuffing need configuring, because they depend on the application's flows
/// and login routes.
/// </summary>
public sealed record PolicyBehaviorOptions
{
    /// <summary>Expected flows: each step names its route and the routes that must come before it. Default none.</summary>
    public IReadOnlyList<SequenceStepOptions> Sequences { get; init; } = [];

    /// <summary>Inter-request timing per actor.</summary>
    public TimingOptions Timing { get; init; } = new();

    /// <summary>Walking identifiers, 404 ratios, distinct resources, riding the rate limit.</summary>
    public ResourceEnumerationOptions Enumeration { get; init; } = new();

    /// <summary>Credential stuffing and password spraying (off unless <see cref="StuffingOptions.Enabled"/>).</summary>
    public StuffingOptions Stuffing { get; init; } = new();

    /// <summary>Whether the route's velocity against its baseline is watched (default true; settings in <see cref="BehaviorOptions.Velocity"/>).</summary>
    public bool Velocity { get; init; } = true;

    /// <summary>API key misuse against the key's own baseline.</summary>
    public ApiKeyMisuseOptions ApiKeys { get; init; } = new();
}
