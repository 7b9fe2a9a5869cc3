namespace Bulwark.Core.Protections;

/// <summary>What became of a login attempt, as the application reported it (header or in-process API) or as its status says.</summary>
public enum LoginOutcome
{
    /// <summary>Not reported: the upstream status decides.</summary>
    Unknown = 0,

    /// <summary>The credentials were accepted.</summary>
    Success = 1,

    /// <summary>The credentials were refused.</summary>
    Failure = 2,
}
