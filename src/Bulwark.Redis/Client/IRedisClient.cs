using Bulwark.Redis.Protocol;

namespace Bulwark.Redis.Client;

/// <summary>
/// The few Redis operations Bulwark needs. <see cref="RedisClient"/> implements it with a focused RESP client because no
/// maintained .NET client restores from this project's package mirror; an adapter over StackExchange.Redis
/// (<c>IDatabase.ScriptEvaluateAsync</c>) could replace it without touching the stores.
/// </summary>
public interface IRedisClient : IAsyncDisposable
{
    /// <summary>Sends one command and returns its reply; an error reply is returned as <see cref="RedisReplyKind.Error"/>.</summary>
    /// <exception cref="RedisConnectionException">No connection could carry the command, or it closed before the reply.</exception>
    Task<RedisReply> ExecuteAsync(RedisArg[] args, CancellationToken cancellationToken = default);

    /// <summary>
    /// Runs <paramref name="script"/> with EVALSHA, loading it with SCRIPT LOAD and retrying once when the server answers
    /// NOSCRIPT (after a restart or SCRIPT FLUSH). <paramref name="args"/> is the command after the SHA and key count:
    /// <paramref name="keyCount"/> keys, then the script's arguments. An error reply throws <see cref="RedisServerException"/>.
    /// </summary>
    Task<RedisReply> EvaluateAsync(RedisScript script, int keyCount, ReadOnlyMemory<RedisArg> args, CancellationToken cancellationToken = default);
}
