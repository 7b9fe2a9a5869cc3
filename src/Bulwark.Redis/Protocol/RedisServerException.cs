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

    /// <summary>
    /// The exception for an error reply, explained when it means the server is part of a Redis Cluster, which this client
    /// does not follow (<c>MOVED</c>, <c>ASK</c>, <c>CLUSTERDOWN</c>, <c>CROSSSLOT</c>, <c>TRYAGAIN</c>): the message then
    /// names the problem and what to do (see docs/redis.md, "Redis Cluster").
    /// </summary>
    public static RedisServerException FromReply(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var word = text.Split(' ', 2)[0];
        var explained = word switch
        {
            "MOVED" or "ASK" => $"Redis answered {text}: the server is a Redis Cluster node and the key lives on another node. Bulwark's client does not follow cluster redirections; point State:Redis:Connection at a standalone Redis (or a proxy that routes cluster keys). See docs/redis.md, \"Redis Cluster\".",
            "CLUSTERDOWN" => $"Redis answered {text}: the Redis Cluster is down or has unassigned slots, so it serves no keys. Bulwark's client does not support Redis Cluster; use a standalone Redis. See docs/redis.md, \"Redis Cluster\".",
            "CROSSSLOT" => $"Redis answered {text}: one request's counters hash to different Redis Cluster slots (limits keyed on different actors, like per-IP and per-account), which a cluster refuses in one script. Use a standalone Redis. See docs/redis.md, \"Redis Cluster\".",
            "TRYAGAIN" => $"Redis answered {text}: the Redis Cluster is resharding the keys of this request. Bulwark's client does not support Redis Cluster; use a standalone Redis. See docs/redis.md, \"Redis Cluster\".",
            _ => null,
        };
        return new RedisServerException(explained ?? text);
    }

    /// <summary>The error's first word (<c>ERR</c>, <c>NOSCRIPT</c>, <c>WRONGPASS</c> …).</summary>
    public string Prefix => Message.Split(' ', 2)[0];
}
