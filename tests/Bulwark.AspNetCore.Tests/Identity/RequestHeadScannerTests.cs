using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Bulwark.AspNetCore.Identity;

namespace Bulwark.AspNetCore.Tests.Identity;

/// <summary>
/// The HTTP/1.1 head scanner over a pipelined stream — bodies by Content-Length and chunked framing that contain text
/// looking like request heads — fed in every chunk size, and through the observing PipeReader as Kestrel drives it.
/// </summary>
public sealed class RequestHeadScannerTests
{
    private const string Stream =
        "GET /a?x=1 HTTP/1.1\r\nHost: h\r\nUser-Agent: u\r\nAccept: */*\r\n\r\n" +
        "POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 38\r\nX-Custom: 1\r\n\r\n" +
        "GET /fake HTTP/1.1\r\nEvil: 1\r\n\r\n0123456" +
        "POST /c HTTP/1.1\r\nhost: h\r\nTransfer-Encoding: chunked\r\n\r\n" +
        "1b;ext=1\r\nGET /fake2 HTTP/1.1\r\nE: 1\r\n\r\n0\r\nTrailer: t\r\n\r\n" +
        "\r\nGET /d HTTP/1.1\r\nACCEPT-LANGUAGE: en\r\nHost: h\r\n\r\n";

    private static readonly string[] Expected =
    [
        "GET /a?x=1 host,user-agent,accept",
        "POST /b host,content-length,x-custom",
        "POST /c host,transfer-encoding",
        "GET /d accept-language,host",
    ];

    [Fact]
    public void Heads_are_found_in_every_chunking_and_bodies_are_skipped()
    {
        var bytes = Encoding.ASCII.GetBytes(Stream);
        for (var chunk = 1; chunk <= bytes.Length; chunk++)
        {
            var heads = new List<string>();
            var scanner = new RequestHeadScanner(h => heads.Add($"{h.Method} {h.Target} {string.Join(",", h.HeaderNames)}"));
            for (var offset = 0; offset < bytes.Length; offset += chunk)
            {
                scanner.Scan(bytes.AsSpan(offset, Math.Min(chunk, bytes.Length - offset)));
            }

            Assert.Equal(Expected, heads);
            Assert.False(scanner.Stopped);
        }
    }

    [Fact]
    public void An_upgrade_or_an_oversized_line_stops_the_scanner()
    {
        var upgraded = new RequestHeadScanner(_ => { });
        upgraded.Scan(Encoding.ASCII.GetBytes("GET /ws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\x81\x05hello"));
        Assert.True(upgraded.Stopped);

        var flooded = new RequestHeadScanner(_ => { });
        flooded.Scan(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nX: " + new string('a', 9000)));
        Assert.True(flooded.Stopped);
    }

    [Fact]
    public async Task The_observing_reader_passes_bytes_through_unchanged_and_sees_each_once()
    {
        var pipe = new Pipe();
        var heads = new List<string>();
        var reader = new HeadObservingPipeReader(pipe.Reader, new RequestHeadScanner(h => heads.Add(h.Target)));
        var bytes = Encoding.ASCII.GetBytes(Stream);
        var received = new MemoryStream();

        var writer = Task.Run(async () =>
        {
            for (var offset = 0; offset < bytes.Length; offset += 7)
            {
                await pipe.Writer.WriteAsync(bytes.AsMemory(offset, Math.Min(7, bytes.Length - offset)));
            }

            await pipe.Writer.CompleteAsync();
        });

        // Like Kestrel: consume only whole lines, examine everything, so unconsumed bytes come back on the next read.
        while (true)
        {
            var result = await reader.ReadAsync();
            var buffer = result.Buffer;
            var consumed = buffer.Start;
            var position = buffer.PositionOf((byte)'\n');
            if (position is { } newline)
            {
                consumed = buffer.GetPosition(1, newline);
                foreach (var segment in buffer.Slice(0, consumed))
                {
                    received.Write(segment.Span);
                }
            }
            else if (result.IsCompleted)
            {
                foreach (var segment in buffer)
                {
                    received.Write(segment.Span);
                }

                consumed = buffer.End;
            }

            reader.AdvanceTo(consumed, buffer.End);
            if (result.IsCompleted && consumed.Equals(buffer.End))
            {
                break;
            }
        }

        await writer;
        Assert.Equal(bytes, received.ToArray());
        Assert.Equal(["/a?x=1", "/b", "/c", "/d"], heads);
    }
}
