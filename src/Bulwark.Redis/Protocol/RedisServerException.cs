namespace Bulwark.Redis.Protocol;

/// <summary>Redis answered with an error reply (<c>-ERR …</c>, <c>-NOSCRIPT …</c>, <c>-WRONGPASS …</c>).</summary>
public sealed class RedisServerException : RedisException
{
    /// <summary>Creates the exception from the server's error text.</summary>
    public RedisServerException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public RedisServerException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public RedisServerException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The error's first word (<c>ERR</c>, <c>NOSCRIPT</c>, <c>WRONGPASS</c> …).</summary>
    public string Prefix => Message.Split(' ', 2)[0];
}
