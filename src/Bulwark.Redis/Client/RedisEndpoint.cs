using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Bulwark.Redis.Client;

/// <summary>
/// A parsed connection string, <c>host:port</c> with optional comma-separated settings: <c>password=…</c>,
/// <c>user=…</c> (ACL user), <c>ssl=true</c>, <c>sslHost=…</c> (name checked on the server certificate; default the
/// host), <c>sslCaFile=…</c> (PEM file of the certificate authorities to trust instead of the system's roots, for a
/// private CA), <c>connectTimeout=…</c> (milliseconds, default 1000), <c>protocol=3</c> (RESP3 through <c>HELLO 3</c>;
/// default 2), <c>connections=…</c> (pool size, default 2). The settings follow StackExchange.Redis's names.
/// </summary>
public sealed record RedisEndpoint
{
    /// <summary>The host name or address.</summary>
    public required string Host { get; init; }

    /// <summary>The port (default 6379).</summary>
    public int Port { get; init; } = 6379;

    /// <summary>The ACL user, or null for the default user.</summary>
    public string? User { get; init; }

    /// <summary>The password, or null for no AUTH.</summary>
    public string? Password { get; init; }

    /// <summary>Whether to wrap the connection in TLS.</summary>
    public bool Ssl { get; init; }

    /// <summary>The name expected on the server certificate (default <see cref="Host"/>).</summary>
    public string? SslHost { get; init; }

    /// <summary>The PEM file of the authorities trusted for the server certificate, or null for the system's roots.</summary>
    public string? SslCaFile { get; init; }

    /// <summary>The certificates read from <see cref="SslCaFile"/> when the connection string was parsed.</summary>
    public X509Certificate2Collection? SslCaCertificates { get; init; }

    /// <summary>How long opening one connection (TCP, TLS and AUTH) may take (default 1 s).</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>2 (RESP2, default) or 3 (RESP3 negotiated with <c>HELLO 3</c>).</summary>
    public int Protocol { get; init; } = 2;

    /// <summary>Connections in the pool (default 2); commands from all callers are pipelined over them.</summary>
    public int Connections { get; init; } = 2;

    /// <summary>Parses <paramref name="connectionString"/>, or throws <see cref="FormatException"/> saying what is wrong.</summary>
    public static RedisEndpoint Parse(string connectionString)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        var parts = connectionString.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0 || parts[0].Contains('=', StringComparison.Ordinal))
        {
            throw new FormatException("A Redis connection string starts with host:port, like \"localhost:6379\" or \"redis.internal:6379,password=…\".");
        }

        var endpoint = ParseHostPort(parts[0]);
        foreach (var part in parts.AsSpan(1))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new FormatException($"'{part}' in the Redis connection string is not name=value; settings are password, user, ssl, sslHost, sslCaFile, connectTimeout, protocol and connections.");
            }

            var name = part[..eq].Trim();
            var value = part[(eq + 1)..].Trim();
            endpoint = name.ToLowerInvariant() switch
            {
                "password" => endpoint with { Password = value },
                "user" => endpoint with { User = value },
                "ssl" => endpoint with { Ssl = Bool(name, value) },
                "sslhost" => endpoint with { SslHost = value },
                "sslcafile" => endpoint with { SslCaFile = value, SslCaCertificates = LoadAuthorities(value) },
                "connecttimeout" => endpoint with { ConnectTimeout = TimeSpan.FromMilliseconds(Int(name, value, 1, 60_000)) },
                "protocol" => endpoint with { Protocol = Int(name, value, 2, 3) },
                "connections" => endpoint with { Connections = Int(name, value, 1, 64) },
                _ => throw new FormatException($"Unknown Redis connection setting '{name}'; use password, user, ssl, sslHost, sslCaFile, connectTimeout, protocol or connections."),
            };
        }

        if (endpoint.SslCaFile is not null && !endpoint.Ssl)
        {
            throw new FormatException("Redis connection setting 'sslCaFile' needs ssl=true: without TLS there is no certificate to check.");
        }

        return endpoint;
    }

    /// <inheritdoc />
    public override string ToString() => $"{Host}:{Port}";

    private static RedisEndpoint ParseHostPort(string text)
    {
        string host;
        var port = 6379;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                throw new FormatException($"'{text}' opens an IPv6 address with '[' but does not close it.");
            }

            host = text[1..close];
            if (close + 1 < text.Length)
            {
                port = ParsePort(text[(close + 1)..].TrimStart(':'), text);
            }
        }
        else
        {
            var colon = text.LastIndexOf(':');
            host = colon < 0 ? text : text[..colon];
            if (colon >= 0)
            {
                port = ParsePort(text[(colon + 1)..], text);
            }
        }

        if (host.Length == 0)
        {
            throw new FormatException($"'{text}' has no host; write host:port, like \"localhost:6379\".");
        }

        return new RedisEndpoint { Host = host, Port = port };
    }

    private static X509Certificate2Collection LoadAuthorities(string path)
    {
        var authorities = new X509Certificate2Collection();
        try
        {
            authorities.ImportFromPemFile(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            throw new FormatException($"Redis connection setting 'sslCaFile' names '{path}', which cannot be read as PEM certificates: {e.Message}", e);
        }

        return authorities.Count > 0
            ? authorities
            : throw new FormatException($"Redis connection setting 'sslCaFile' names '{path}', which holds no PEM certificate (-----BEGIN CERTIFICATE-----).");
    }

    private static int ParsePort(string text, string whole) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536
            ? port
            : throw new FormatException($"'{whole}' has no valid port; write host:port with a port from 1 to 65535.");

    private static bool Bool(string name, string value) => value.ToLowerInvariant() switch
    {
        "true" => true,
        "false" => false,
        _ => throw new FormatException($"Redis connection setting '{name}' must be true or false, not '{value}'."),
    };

    private static int Int(string name, string value, int min, int max) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? n
            : throw new FormatException($"Redis connection setting '{name}' must be a whole number from {min} to {max}, not '{value}'.");
}
