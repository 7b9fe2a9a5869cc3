using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace Bulwark.Redis.Protocol;

/// <summary>
/// Parses RESP2 and RESP3 replies straight from the connection's pooled pipe buffers. A reply that has not fully
/// arrived parses as "incomplete" and is retried when more bytes come, so no reply is ever buffered twice.
/// </summary>
public static class RespParser
{
    /// <summary>Deepest nesting accepted; deeper replies are a protocol error (a guard against a hostile server).</summary>
    private const int MaxDepth = 32;

    /// <summary>Largest bulk string accepted (Redis's own proto-max-bulk-len default).</summary>
    private const long MaxBulkLength = 512L * 1024 * 1024;

    /// <summary>
    /// Tries to parse one complete reply from the start of <paramref name="buffer"/>. On success, slices it off and returns
    /// true; when the reply is incomplete, leaves <paramref name="buffer"/> as it was and returns false.
    /// </summary>
    /// <exception cref="RedisProtocolException">The bytes are not RESP.</exception>
    public static bool TryParse(ref ReadOnlySequence<byte> buffer, out RedisReply reply)
    {
        var reader = new SequenceReader<byte>(buffer);
        if (!TryParse(ref reader, 0, out reply!))
        {
            return false;
        }

        buffer = buffer.Slice(reader.Position);
        return true;
    }

    private static bool TryParse(ref SequenceReader<byte> reader, int depth, out RedisReply? reply)
    {
        reply = null;
        if (depth > MaxDepth)
        {
            throw new RedisProtocolException("reply nested deeper than " + MaxDepth);
        }

        if (!reader.TryRead(out var type) || !reader.TryReadTo(out ReadOnlySequence<byte> line, "\r\n"u8))
        {
            return false;
        }

        switch (type)
        {
            case (byte)'+':
                reply = RedisReply.FromSimple(Text(line));
                return true;
            case (byte)'-':
                reply = RedisReply.FromError(Text(line));
                return true;
            case (byte)':':
                reply = RedisReply.FromInteger(Integer(line));
                return true;
            case (byte)'_':
                reply = RedisReply.Nil;
                return true;
            case (byte)'#':
                reply = RedisReply.FromBoolean(line.Length == 1 && line.FirstSpan[0] == (byte)'t');
                return true;
            case (byte)',':
                reply = RedisReply.FromDouble(ParseDouble(Text(line)));
                return true;
            case (byte)'(':
                reply = RedisReply.FromBulk(line.ToArray());
                return true;
            case (byte)'$' or (byte)'=' or (byte)'!':
                return TryParseBulk(ref reader, type, Integer(line), out reply);
            case (byte)'*' or (byte)'~' or (byte)'>' or (byte)'%' or (byte)'|':
                return TryParseAggregate(ref reader, type, Integer(line), depth, out reply);
            default:
                throw new RedisProtocolException($"unexpected reply type byte 0x{type:x2}");
        }
    }

    private static bool TryParseBulk(ref SequenceReader<byte> reader, byte type, long length, out RedisReply? reply)
    {
        reply = null;
        if (length < 0)
        {
            reply = RedisReply.Nil;
            return true;
        }

        if (length > MaxBulkLength)
        {
            throw new RedisProtocolException($"bulk string of {length} bytes exceeds {MaxBulkLength}");
        }

        if (reader.Remaining < length + 2)
        {
            return false;
        }

        var bytes = new byte[length];
        reader.TryCopyTo(bytes);
        reader.Advance(length);
        if (!reader.IsNext("\r\n"u8, advancePast: true))
        {
            throw new RedisProtocolException("bulk string not terminated by CRLF");
        }

        if (type == (byte)'=' && bytes.Length >= 4)
        {
            // Verbatim string: "txt:" prefix names the format; the text follows.
            bytes = bytes[4..];
        }

        reply = type == (byte)'!' ? RedisReply.FromError(Encoding.UTF8.GetString(bytes)) : RedisReply.FromBulk(bytes);
        return true;
    }

    private static bool TryParseAggregate(ref SequenceReader<byte> reader, byte type, long count, int depth, out RedisReply? reply)
    {
        reply = null;
        if (count < 0)
        {
            reply = RedisReply.Nil;
            return true;
        }

        // A map holds count pairs; flatten them.
        var elements = type == (byte)'%' || type == (byte)'|' ? count * 2 : count;
        if (elements > reader.Remaining)
        {
            // Every element is at least 3 bytes, so the reply cannot be complete; also bounds the allocation below.
            return false;
        }

        var items = elements == 0 ? [] : new RedisReply[elements];
        for (var i = 0; i < items.Length; i++)
        {
            if (!TryParse(ref reader, depth + 1, out var item))
            {
                return false;
            }

            items[i] = item!;
        }

        if (type == (byte)'|')
        {
            // An attribute describes the reply that follows it; keep the reply and drop the attribute.
            return TryParse(ref reader, depth, out reply);
        }

        reply = RedisReply.FromItems(type == (byte)'>' ? RedisReplyKind.Push : RedisReplyKind.Array, items);
        return true;
    }

    private static long Integer(ReadOnlySequence<byte> line)
    {
        Span<byte> scratch = stackalloc byte[24];
        if (line.Length > scratch.Length)
        {
            throw new RedisProtocolException("integer too long");
        }

        line.CopyTo(scratch);
        if (!Utf8Parser.TryParse(scratch[..(int)line.Length], out long value, out var consumed) || consumed != line.Length)
        {
            throw new RedisProtocolException($"'{Encoding.ASCII.GetString(scratch[..(int)line.Length])}' is not an integer");
        }

        return value;
    }

    private static double ParseDouble(string text) => text switch
    {
        "inf" => double.PositiveInfinity,
        "-inf" => double.NegativeInfinity,
        "nan" => double.NaN,
        _ => double.Parse(text, System.Globalization.CultureInfo.InvariantCulture),
    };

    private static string Text(ReadOnlySequence<byte> line) => Encoding.UTF8.GetString(line);
}
