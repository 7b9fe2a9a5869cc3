namespace Bulwark.Redis.Limits;

/// <summary>The state of <see cref="RedisCircuitBreaker"/>.</summary>
public enum CircuitState
{
    /// <summary>Calls go to Redis.</summary>
    Closed = 0,

    /// <summary>Calls fail at once without touching Redis, until the open period ends.</summary>
    Open = 1,

    /// <summary>One probe call goes to Redis; the others fail at once until it answers.</summary>
    HalfOpen = 2,
}
