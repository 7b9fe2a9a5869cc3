using System.Runtime.InteropServices;

namespace Bulwark.Redis.Protocol;

/// <summary>One argument of a command: text (sent as UTF-8), an integer (sent as its decimal digits) or raw bytes.</summary>
[StructLayout(LayoutKind.Auto)]
public readonly struct RedisArg
{
    private RedisArg(string? text, long number, byte[]? bytes)
    {
        Text = text;
        Number = number;
        Bytes = bytes;
    }

    internal string? Text { get; }

    internal long Number { get; }

    internal byte[]? Bytes { get; }

    /// <summary>A text argument.</summary>
    public static implicit operator RedisArg(string text) => new(text ?? string.Empty, 0, null);

    /// <summary>An integer argument.</summary>
    public static implicit operator RedisArg(long number) => new(null, number, null);

    /// <summary>A binary argument.</summary>
    public static implicit operator RedisArg(byte[] bytes) => new(null, 0, bytes ?? []);

    /// <summary>A text argument.</summary>
    public static RedisArg FromString(string text) => text;

    /// <summary>An integer argument.</summary>
    public static RedisArg FromInt64(long number) => number;

    /// <summary>A binary argument.</summary>
    public static RedisArg FromBytes(byte[] bytes) => bytes;

    /// <inheritdoc />
    public override string ToString() => Text ?? (Bytes is not null ? $"<{Bytes.Length} bytes>" : Number.ToString());
}
