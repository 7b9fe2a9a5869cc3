using System.Buffers;
using System.Text;
using Bulwark.Redis.Protocol;

namespace Bulwark.Redis.Tests.Protocol;

public sealed class RespParserTests
{
    [Theory]
    [InlineData("+OK\r\n", "OK")]
    [InlineData(":-42\r\n", "-42")]
    [InlineData("$5\r\nhello\r\n", "hello")]
    [InlineData("$-1\r\n", "(nil)")]
    [InlineData("*-1\r\n", "(nil)")]
    [InlineData("*3\r\n:1\r\n$1\r\nx\r\n*1\r\n+y\r\n", "[1, x, [y]]")]
    [InlineData("-ERR boom\r\n", "(error) ERR boom")]
    [InlineData("_\r\n", "(nil)")]
    [InlineData("#t\r\n", "1")]
    [InlineData(",1.5\r\n", "1.5")]
    [InlineData("%1\r\n+k\r\n:2\r\n", "[k, 2]")]
    [InlineData("~2\r\n:1\r\n:2\r\n", "[1, 2]")]
    [InlineData("=8\r\ntxt:abcd\r\n", "abcd")]
    [InlineData("|1\r\n+ttl\r\n:3\r\n:7\r\n", "7")]
    public void Parses_resp2_and_resp3_replies_whole_and_byte_by_byte(string wire, string expected)
    {
        var bytes = Encoding.ASCII.GetBytes(wire);
        var whole = new ReadOnlySequence<byte>(bytes);
        Assert.True(RespParser.TryParse(ref whole, out var reply));
        Assert.True(whole.IsEmpty);
        Assert.Equal(expected, reply.ToString());

        // Every proper prefix is incomplete and leaves the buffer untouched.
        for (var n = 0; n < bytes.Length; n++)
        {
            var partial = new ReadOnlySequence<byte>(bytes, 0, n);
            Assert.False(RespParser.TryParse(ref partial, out _));
            Assert.Equal(n, partial.Length);
        }

        // Split into one segment per byte, the reply still parses.
        var segmented = Segments(bytes);
        Assert.True(RespParser.TryParse(ref segmented, out var again));
        Assert.Equal(expected, again.ToString());
    }

    [Fact]
    public void Rejects_bytes_that_are_not_resp()
    {
        var junk = new ReadOnlySequence<byte>("HTTP/1.1 400\r\n"u8.ToArray());
        Assert.Throws<RedisProtocolException>(() => RespParser.TryParse(ref junk, out _));
    }

    [Fact]
    public void Writes_commands_as_arrays_of_bulk_strings()
    {
        var buffer = new ArrayBufferWriter<byte>();
        RespWriter.Write(buffer, ["SET", "k", 42L, new byte[] { 1, 2 }]);
        Assert.Equal("*4\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\n42\r\n$2\r\n\u0001\u0002\r\n", Encoding.ASCII.GetString(buffer.WrittenSpan));
    }

    private static ReadOnlySequence<byte> Segments(byte[] bytes)
    {
        var first = new Segment(bytes.AsMemory(0, 1), 0);
        var last = first;
        for (var i = 1; i < bytes.Length; i++)
        {
            last = last.Append(bytes.AsMemory(i, 1));
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
