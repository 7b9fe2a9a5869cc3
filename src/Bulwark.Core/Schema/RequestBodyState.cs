namespace Bulwark.Core.Schema;

/// <summary>What a front door found when it looked at a request's body (see <see cref="RequestContext.BodyState"/>).</summary>
public enum RequestBodyState
{
    /// <summary>Not looked at (replay records without a body, front doors that do not read bodies). Body checks are skipped.</summary>
    NotRead = 0,

    /// <summary>A JSON body, parsed into <see cref="RequestContext.Body"/>.</summary>
    Parsed,

    /// <summary>No body at all.</summary>
    Empty,

    /// <summary>A body whose <c>Content-Type</c> is not JSON.</summary>
    NotJson,

    /// <summary>A body that claims to be JSON but does not parse.</summary>
    InvalidJson,

    /// <summary>A body larger than <c>Identity:MaxBodyBytes</c>; not read.</summary>
    TooLarge,
}
