namespace Bulwark.Redis.Protocol;

/// <summary>A Redis call failed: the connection (see <see cref="RedisConnectionException"/>), the protocol or the server.</summary>
public class RedisException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RedisException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public RedisException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public RedisException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
