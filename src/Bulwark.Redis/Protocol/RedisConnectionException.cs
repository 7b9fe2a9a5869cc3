namespace Bulwark.Redis.Protocol;

/// <summary>No connection to Redis: it could not be opened, was closed, or is waiting out a reconnect backoff.</summary>
public sealed class RedisConnectionException : RedisException
{
    /// <summary>Creates the exception.</summary>
    public RedisConnectionException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public RedisConnectionException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public RedisConnectionException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
