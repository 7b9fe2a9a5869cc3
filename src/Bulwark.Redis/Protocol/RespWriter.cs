using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace Bulwark.Redis.Protocol;

/// <summary>Encodes commands as RESP arrays of bulk strings straight into a pipe's buffers (no intermediate strings).</summary>
public static class RespWriter
{
    /// <summary>Writes <paramref name="args"/> as one command.</summary>
    public static void Write(IBufferWriter<byte> output, ReadOnlySpan<RedisArg> args)
    {
        WriteHeader(output, (byte)'*', args.Length);
        Span<byte> digits = stackalloc byte[20];
        foreach (var arg in args)
        {
            if (arg.Text is { } text)
            {
                var length = Encoding.UTF8.GetByteCount(text);
                WriteHeader(output, (byte)'$', length);
                var span = output.GetSpan(length + 2);
                Encoding.UTF8.GetBytes(text, span);
                span[length] = (byte)'\r';
                span[length + 1] = (byte)'\n';
                output.Advance(length + 2);
            }
            else if (arg.Bytes is { } bytes)
            {
                WriteHeader(output, (byte)'$', bytes.Length);
                var span = output.GetSpan(bytes.Length + 2);
                bytes.CopyTo(span);
                span[bytes.Length] = (byte)'\r';
                span[bytes.Length + 1] = (byte)'\n';
                output.Advance(bytes.Length + 2);
            }
            else
            {
                Utf8Formatter.TryFormat(arg.Number, digits, out var written);
                WriteHeader(output, (byte)'$', written);
                var span = output.GetSpan(written + 2);
                digits[..written].CopyTo(span);
                span[written] = (byte)'\r';
                span[written + 1] = (byte)'\n';
                output.Advance(written + 2);
            }
        }
    }

    private static void WriteHeader(IBufferWriter<byte> output, byte type, long count)
    {
        var span = output.GetSpan(24);
        span[0] = type;
        Utf8Formatter.TryFormat(count, span[1..], out var written);
        span[written + 1] = (byte)'\r';
        span[written + 2] = (byte)'\n';
        output.Advance(written + 3);
    }
}
