using System.Security.Cryptography;
using System.Text;

namespace Bulwark.Redis.Client;

/// <summary>A Lua script and its SHA-1, the name EVALSHA runs it by.</summary>
public sealed class RedisScript
{
    /// <summary>Wraps <paramref name="source"/>.</summary>
    public RedisScript(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        Source = source;
#pragma warning disable CA5350 // SHA-1 is what Redis names scripts by; it is not used for security here.
        Sha1 = Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(source)));
#pragma warning restore CA5350
    }

    /// <summary>The Lua source.</summary>
    public string Source { get; }

    /// <summary>The lower-case hex SHA-1 of <see cref="Source"/>.</summary>
    public string Sha1 { get; }
}
