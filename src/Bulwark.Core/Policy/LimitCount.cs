namespace Bulwark.Core.Policy;

/// <summary>What spends a limit's permits.</summary>
public enum LimitCount
{
    /// <summary>Every request spends one.</summary>
    Requests,

    /// <summary>Every request spends its route's cost.</summary>
    Cost,

    /// <summary>Only responses with a failure status spend one (on feedback).</summary>
    Failures,
}
