using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;

// Usage: bulwark-loadgen --port P [--path /bench] [--rate 5000] [--connections 64] [--seconds 10] [--warmup 2] [--slow-ms N]
// --slow-ms N: also print to stderr, per 50 ms window of due times (ms from the measured start), how many requests took
// over N ms and the longest: when a stall began and how long it lasted, to line up with the server's own logs or traces.
// Open loop (wrk2-style): request n of the run is DUE at start + n / rate, whatever happened before. One dispatcher
// thread hands each due request to connection n mod C (keep-alive HTTP/1.1 over a raw socket, one request in flight per
// connection); when that connection is still busy the request waits in its queue. Latency is measured from the DUE
// time to the end of the answer, so a server stall counts for every request that should have been sent during it
// (no coordinated omission). The dispatcher sleeps in 1 ms steps, so a request may leave up to ~1 ms after it was due
// and that is counted too, for every target alike: compare targets measured by this tool, not with wrk's numbers.
var options = Options.Parse(args);
var request = Encoding.ASCII.GetBytes($"GET {options.Path} HTTP/1.1\r\nHost: 127.0.0.1:{options.Port}\r\nUser-Agent: bulwark-loadgen\r\nAccept: */*\r\n\r\n");
var connections = new Connection[options.Connections];
for (var i = 0; i < connections.Length; i++)
{
    connections[i] = await Connection.OpenAsync(options.Port, request);
}

var workers = connections.Select(c => Task.Run(c.RunAsync)).ToArray();
var total = (long)(options.Rate * (options.Warmup + options.Seconds));
var warmupCount = (long)(options.Rate * options.Warmup);
var tick = Stopwatch.Frequency / options.Rate;
var dispatcher = new Thread(() =>
{
    var start = Stopwatch.GetTimestamp();
    for (long n = 0; n < total; n++)
    {
        var due = start + (long)(n * tick);
        while (Stopwatch.GetTimestamp() < due)
        {
            Thread.Sleep(1);
        }

        connections[n % connections.Length].Queue.Writer.TryWrite(new Due(due, n >= warmupCount));
    }

    foreach (var c in connections)
    {
        c.Queue.Writer.Complete();
    }
})
{ IsBackground = true, Priority = ThreadPriority.AboveNormal };
dispatcher.Start();
dispatcher.Join();
await Task.WhenAll(workers);

if (options.SlowMs > 0)
{
    var measuredStart = connections.SelectMany(c => c.Dues).DefaultIfEmpty().Min();
    var slow = connections.SelectMany(c => c.Dues.Zip(c.Latencies))
        .Where(r => r.Second * 1000.0 / Stopwatch.Frequency > options.SlowMs)
        .GroupBy(r => (r.First - measuredStart) * 1000 / Stopwatch.Frequency / 50 * 50)
        .OrderBy(g => g.Key);
    foreach (var window in slow)
    {
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"slow at {window.Key} ms: {window.Count()} requests over {options.SlowMs} ms, longest {window.Max(r => r.Second) * 1000.0 / Stopwatch.Frequency:F1} ms"));
    }
}

var latencies = connections.SelectMany(c => c.Latencies).ToArray();
Array.Sort(latencies);
var errors = connections.Sum(c => c.Errors);
var non2xx = connections.Sum(c => c.Non2xx);
var reconnects = connections.Sum(c => c.Reconnects);
double Ms(double q) => latencies.Length == 0 ? double.NaN : latencies[Math.Min(latencies.Length - 1, (int)(q * latencies.Length))] * 1000.0 / Stopwatch.Frequency;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"rate={options.Rate} connections={options.Connections} seconds={options.Seconds} measured={latencies.Length} errors={errors} non2xx={non2xx} reconnects={reconnects} p50_ms={Ms(0.50):F3} p90_ms={Ms(0.90):F3} p99_ms={Ms(0.99):F3} p999_ms={Ms(0.999):F3} max_ms={Ms(1.0):F3}"));
return errors == 0 ? 0 : 1;

internal readonly record struct Due(long Timestamp, bool Measured);

internal sealed class Connection(Socket initial, int port, byte[] request)
{
    private Socket _socket = initial;

    private readonly byte[] _buffer = new byte[16 * 1024];

    public Channel<Due> Queue { get; } = Channel.CreateUnbounded<Due>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

    public List<long> Latencies { get; } = new(1 << 16);

    /// <summary>The due time of each entry of <see cref="Latencies"/>.</summary>
    public List<long> Dues { get; } = new(1 << 16);

    public int Errors { get; private set; }

    public int Non2xx { get; private set; }

    public int Reconnects { get; private set; }

    public static async Task<Connection> OpenAsync(int port, byte[] request)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync("127.0.0.1", port);
        return new Connection(socket, port, request);
    }

    public async Task RunAsync()
    {
        await foreach (var due in Queue.Reader.ReadAllAsync())
        {
            if (Errors > 0)
            {
                continue;
            }

            try
            {
                int status;
                try
                {
                    await _socket.SendAsync(request, SocketFlags.None);
                    status = await ReadResponseAsync();
                }
                catch (Exception exception) when (exception is SocketException or IOException)
                {
                    // A keep-alive connection the server closed (nginx closes one after keepalive_requests): reconnect and
                    // send again, as wrk does; the time it takes counts in this request's latency.
                    _socket.Dispose();
                    _socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                    await _socket.ConnectAsync("127.0.0.1", port);
                    Reconnects++;
                    await _socket.SendAsync(request, SocketFlags.None);
                    status = await ReadResponseAsync();
                }

                if (due.Measured)
                {
                    Latencies.Add(Stopwatch.GetTimestamp() - due.Timestamp);
                    Dues.Add(due.Timestamp);
                    if (status is < 200 or > 299)
                    {
                        Non2xx++;
                    }
                }
            }
            catch (Exception exception) when (exception is SocketException or IOException or FormatException)
            {
                Errors++;
                Console.Error.WriteLine("connection failed: " + exception.Message);
            }
        }

        _socket.Dispose();
    }

    // One answer: status line and headers, then Content-Length bytes or chunks up to the last one (no pipelining, so
    // nothing after the answer is in the buffer).
    private async Task<int> ReadResponseAsync()
    {
        var filled = 0;
        int headerEnd;
        while ((headerEnd = _buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8)) < 0)
        {
            filled += await ReadSomeAsync(filled);
        }

        var head = Encoding.ASCII.GetString(_buffer, 0, headerEnd);
        var status = int.Parse(head.AsSpan(9, 3), CultureInfo.InvariantCulture);
        var bodyStart = headerEnd + 4;
        long length = -1;
        var chunked = false;
        foreach (var line in head.Split("\r\n"))
        {
            if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            {
                length = long.Parse(line.AsSpan(15).Trim(), CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("Transfer-Encoding:", StringComparison.OrdinalIgnoreCase) && line.Contains("chunked", StringComparison.OrdinalIgnoreCase))
            {
                chunked = true;
            }
        }

        if (chunked)
        {
            while (_buffer.AsSpan(bodyStart, filled - bodyStart).IndexOf("0\r\n\r\n"u8) < 0)
            {
                if (filled == _buffer.Length)
                {
                    // keep the tail only: the terminator is what we look for
                    var keep = Math.Min(8, filled - bodyStart);
                    _buffer.AsSpan(filled - keep, keep).CopyTo(_buffer);
                    bodyStart = 0;
                    filled = keep;
                }

                filled += await ReadSomeAsync(filled);
            }

            return status;
        }

        var remaining = Math.Max(0, length) - (filled - bodyStart);
        while (remaining > 0)
        {
            remaining -= await ReadSomeAsync(0, (int)Math.Min(remaining, _buffer.Length));
        }

        return status;
    }

    private async Task<int> ReadSomeAsync(int offset, int max = int.MaxValue)
    {
        var read = await _socket.ReceiveAsync(_buffer.AsMemory(offset, Math.Min(max, _buffer.Length - offset)), SocketFlags.None);
        return read > 0 ? read : throw new IOException("the server closed the connection");
    }
}

internal sealed record Options(int Port, string Path, int Rate, int Connections, int Seconds, int Warmup, int SlowMs)
{
    public static Options Parse(string[] args)
    {
        string Get(string name, string fallback)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
        }

        int Int(string name, int fallback) => int.Parse(Get(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
        return new Options(Int("--port", 0), Get("--path", "/bench"), Int("--rate", 5000), Int("--connections", 64), Int("--seconds", 10), Int("--warmup", 2), Int("--slow-ms", 0));
    }
}
