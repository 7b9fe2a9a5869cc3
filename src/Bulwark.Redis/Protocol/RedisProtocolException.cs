namespace Bulwark.Redis.Protocol;

/// <summary>The server sent bytes that are not RESP; the connection is closed.</summary>
public sealed class RedisProtocolException : RedisException
{
    /// <summary>Creates the exception.</summary>
    public RedisProtocolException(string message)
        : base("Redis protocol error: " + message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public RedisProtocolException()
        : base("Redis protocol error")
    {
    }

    /// <summary>Creates the exception.</summary>
    public RedisProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
