using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Bulwark.FloorProxy;

/// <summary>
/// A measuring instrument, not a product client: the least an HTTP/1.1 forwarder can do over pooled keep-alive sockets
/// (one write of the request head, reads until the head and a Content-Length body are in, nothing parsed it does not
/// need). It answers one question of the gateway benchmark: how much of the floor proxy's cost is SocketsHttpHandler's.
/// It handles bodyless requests to a plain-http upstream that answers with Content-Length, and nothing else — chunked
/// answers, request bodies, TLS, HTTP/2, 1xx and upgrades all throw.
/// </summary>
internal sealed class RawHttp1Client(IPEndPoint upstream)
{
    private readonly ConcurrentBag<Connection> _idle = [];
    private readonly byte[] _hostLine = Encoding.ASCII.GetBytes($"Host: {upstream}\r\n");

    public async Task ForwardAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            throw new NotSupportedException("the raw client forwards bodyless requests only");
        }

        if (!_idle.TryTake(out var connection))
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(upstream, context.RequestAborted);
            connection = new Connection(socket);
        }

        var length = WriteHead(request, connection.Output);
        await connection.Socket.SendAsync(connection.Output.AsMemory(0, length), context.RequestAborted);

        int received = 0, headEnd;
        do
        {
            var read = await connection.Socket.ReceiveAsync(connection.Input.AsMemory(received), context.RequestAborted);
            if (read == 0)
            {
                connection.Socket.Dispose();
                throw new IOException("the upstream closed the connection before its answer's head");
            }

            received += read;
            headEnd = connection.Input.AsSpan(0, received).IndexOf("\r\n\r\n"u8);
        }
        while (headEnd < 0);

        var contentLength = ReadHead(connection.Input.AsSpan(0, headEnd), context.Response);
        var bodyStart = headEnd + 4;
        while (received - bodyStart < contentLength)
        {
            var read = await connection.Socket.ReceiveAsync(connection.Input.AsMemory(received), context.RequestAborted);
            if (read == 0)
            {
                connection.Socket.Dispose();
                throw new IOException("the upstream closed the connection in its answer's body");
            }

            received += read;
        }

        await context.Response.Body.WriteAsync(connection.Input.AsMemory(bodyStart, contentLength), context.RequestAborted);
        _idle.Add(connection);
    }

    private int WriteHead(HttpRequest request, byte[] output)
    {
        var span = output.AsSpan();
        var n = Encoding.ASCII.GetBytes(request.Method, span);
        span[n++] = (byte)' ';
        n += Encoding.ASCII.GetBytes(request.Path.Value ?? "/", span[n..]);
        n += Encoding.ASCII.GetBytes(request.QueryString.Value ?? "", span[n..]);
        " HTTP/1.1\r\n"u8.CopyTo(span[n..]);
        n += 11;
        _hostLine.CopyTo(span[n..]);
        n += _hostLine.Length;
        foreach (var header in request.Headers)
        {
            if (header.Key.Equals("Host", StringComparison.OrdinalIgnoreCase) || header.Key.Equals("Connection", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            foreach (var value in header.Value)
            {
                n += Encoding.ASCII.GetBytes(header.Key, span[n..]);
                ": "u8.CopyTo(span[n..]);
                n += 2;
                n += Encoding.ASCII.GetBytes(value ?? "", span[n..]);
                "\r\n"u8.CopyTo(span[n..]);
                n += 2;
            }
        }

        "\r\n"u8.CopyTo(span[n..]);
        return n + 2;
    }

    private static int ReadHead(ReadOnlySpan<byte> head, HttpResponse response)
    {
        response.StatusCode = ((head[9] - '0') * 100) + ((head[10] - '0') * 10) + (head[11] - '0');
        int? contentLength = null;
        var lines = head[(head.IndexOf("\r\n"u8) + 2)..];
        while (!lines.IsEmpty)
        {
            var end = lines.IndexOf("\r\n"u8);
            var line = end < 0 ? lines : lines[..end];
            lines = end < 0 ? default : lines[(end + 2)..];
            var colon = line.IndexOf((byte)':');
            var name = Encoding.ASCII.GetString(line[..colon]);
            var value = Encoding.ASCII.GetString(line[(colon + 1)..].Trim((byte)' '));
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                contentLength = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
                response.ContentLength = contentLength;
            }
            else if (!name.Equals("Connection", StringComparison.OrdinalIgnoreCase) && !name.Equals("Keep-Alive", StringComparison.OrdinalIgnoreCase))
            {
                response.Headers[name] = value;
            }
        }

        return contentLength ?? throw new NotSupportedException("the raw client needs a Content-Length answer");
    }

    private sealed class Connection(Socket socket)
    {
        public Socket Socket { get; } = socket;

        public byte[] Input { get; } = new byte[16384];

        public byte[] Output { get; } = new byte[16384];
    }
}
