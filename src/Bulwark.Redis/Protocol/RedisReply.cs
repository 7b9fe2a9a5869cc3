using System.Text;

namespace Bulwark.Redis.Protocol;

/// <summary>
/// One parsed reply. Integers and the common simple strings (<c>OK</c>, <c>QUEUED</c>) and small integers are cached
/// instances, so the store's usual reply (an array of integers) costs one array and its element references.
/// </summary>
public sealed class RedisReply
{
    private static readonly RedisReply[] SmallIntegers = CreateSmallIntegers();

    private RedisReply(RedisReplyKind kind) => Kind = kind;

    /// <summary>The null reply.</summary>
    public static RedisReply Nil { get; } = new(RedisReplyKind.Null);

    /// <summary>The <c>+OK</c> reply.</summary>
    public static RedisReply Ok { get; } = new(RedisReplyKind.SimpleString) { Text = "OK" };

    /// <summary>The reply's type.</summary>
    public RedisReplyKind Kind { get; private init; }

    /// <summary>The value of an integer (or boolean, 0/1) reply.</summary>
    public long Integer { get; private init; }

    /// <summary>The value of a double reply.</summary>
    public double Double { get; private init; }

    /// <summary>A simple string or error's text.</summary>
    public string? Text { get; private init; }

    /// <summary>A bulk string's bytes.</summary>
    public byte[]? Bytes { get; private init; }

    /// <summary>An array's (set's, map's, push's) elements.</summary>
    public RedisReply[]? Items { get; private init; }

    /// <summary>Whether this is an error reply.</summary>
    public bool IsError => Kind == RedisReplyKind.Error;

    /// <summary>The reply as text: a simple string, an error, or a bulk string decoded as UTF-8.</summary>
    public string? AsString() => Text ?? (Bytes is null ? null : Encoding.UTF8.GetString(Bytes));

    internal static RedisReply FromInteger(long value) =>
        value is >= -1 and < 1023 ? SmallIntegers[value + 1] : new RedisReply(RedisReplyKind.Integer) { Integer = value };

    internal static RedisReply FromSimple(string text) =>
        text == "OK" ? Ok : new RedisReply(RedisReplyKind.SimpleString) { Text = text };

    internal static RedisReply FromError(string text) => new(RedisReplyKind.Error) { Text = text };

    internal static RedisReply FromBulk(byte[] bytes) => new(RedisReplyKind.BulkString) { Bytes = bytes };

    internal static RedisReply FromItems(RedisReplyKind kind, RedisReply[] items) => new(kind) { Items = items };

    internal static RedisReply FromDouble(double value) => new(RedisReplyKind.Double) { Double = value };

    internal static RedisReply FromBoolean(bool value) => new(RedisReplyKind.Boolean) { Integer = value ? 1 : 0 };

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        RedisReplyKind.Null => "(nil)",
        RedisReplyKind.Integer or RedisReplyKind.Boolean => Integer.ToString(),
        RedisReplyKind.Double => Double.ToString("R"),
        RedisReplyKind.Array or RedisReplyKind.Push => $"[{string.Join(", ", Items!.Select(i => i.ToString()))}]",
        RedisReplyKind.Error => "(error) " + Text,
        _ => AsString() ?? string.Empty,
    };

    private static RedisReply[] CreateSmallIntegers()
    {
        var cache = new RedisReply[1024];
        for (var i = 0; i < cache.Length; i++)
        {
            cache[i] = new RedisReply(RedisReplyKind.Integer) { Integer = i - 1 };
        }

        return cache;
    }
}
