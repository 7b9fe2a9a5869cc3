using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Channels;
using Bulwark.Redis.Protocol;

namespace Bulwark.Redis.Client;

/// <summary>
/// One multiplexed connection. Callers enqueue commands; a writer loop encodes every queued command into the pipe and
/// flushes once per batch (so concurrent callers share packets), and a reader loop parses replies from the pipe's pooled
/// buffers and completes the oldest pending command for each (Redis answers in order). Any I/O or protocol failure
/// faults the connection and every pending command; the pool then opens a new one.
/// </summary>
internal sealed class RedisConnection : IAsyncDisposable
{
    private readonly Channel<PendingCommand> _outbox = Channel.CreateUnbounded<PendingCommand>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentQueue<PendingCommand> _pending = new();
    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly PipeReader _reader;
    private readonly PipeWriter _writer;
    private readonly Task _writeLoop;
    private readonly Task _readLoop;
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Action<RedisReply>? _messages;
    private Exception? _fault;
    private long _lastReadTimestamp = System.Diagnostics.Stopwatch.GetTimestamp();

    private RedisConnection(Socket socket, Stream stream)
    {
        _socket = socket;
        _stream = stream;
        _reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 16 * 1024, minimumReadSize: 4096));
        _writer = PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: 4096));
        _writeLoop = Task.Run(WriteLoopAsync);
        _readLoop = Task.Run(ReadLoopAsync);
    }

    /// <summary>Whether the connection is still usable.</summary>
    public bool IsHealthy => Volatile.Read(ref _fault) is null;

    /// <summary>Completes when the connection has failed or been closed.</summary>
    public Task Closed => _closed.Task;

    /// <summary>
    /// Turns the connection into a subscriber: from now on a reply with no command waiting for it (a pub/sub message, or
    /// the confirmation of a command sent with <see cref="Send"/>) goes to <paramref name="messages"/> on the reader loop.
    /// </summary>
    public void EnterSubscriberMode(Action<RedisReply> messages) => Volatile.Write(ref _messages, messages);

    /// <summary>Sends a command whose answers arrive as messages (SUBSCRIBE), without waiting for a reply.</summary>
    public void Send(RedisArg[] args)
    {
        if (Volatile.Read(ref _fault) is { } fault)
        {
            throw ClosedError(fault);
        }

        var command = new PendingCommand(args) { ExpectsReply = false };
        if (!_outbox.Writer.TryWrite(command))
        {
            throw ClosedError(Volatile.Read(ref _fault));
        }
    }

    /// <summary>Commands sent and not yet answered (including those whose callers gave up).</summary>
    public int PendingCount => _pending.Count;

    /// <summary>
    /// Whether commands have waited longer than <paramref name="stallTimeout"/> with no byte arriving: a server that is
    /// frozen, or a network path that drops packets without resetting the connection (which TCP alone notices only after
    /// hours). Measured on the monotonic <see cref="System.Diagnostics.Stopwatch"/> clock.
    /// </summary>
    public bool IsStalled(TimeSpan stallTimeout) =>
        !_pending.IsEmpty && System.Diagnostics.Stopwatch.GetElapsedTime(Volatile.Read(ref _lastReadTimestamp)) > stallTimeout;

    /// <summary>Opens a connection (TCP, optional TLS, then HELLO or AUTH) within <paramref name="endpoint"/>'s connect timeout.</summary>
    public static async Task<RedisConnection> OpenAsync(RedisEndpoint endpoint, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(endpoint.ConnectTimeout);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        RedisConnection? connection = null;
        try
        {
            try
            {
                await socket.ConnectAsync(endpoint.Host, endpoint.Port, timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new RedisConnectionException($"Connecting to Redis at {endpoint} timed out after {endpoint.ConnectTimeout.TotalMilliseconds} ms.");
            }
            catch (SocketException e)
            {
                throw new RedisConnectionException($"Cannot connect to Redis at {endpoint}: {e.Message}", e);
            }

            Stream stream = new NetworkStream(socket, ownsSocket: false);
            if (endpoint.Ssl)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = ssl;
                var options = new SslClientAuthenticationOptions { TargetHost = endpoint.SslHost ?? endpoint.Host };
                if (endpoint.SslCaCertificates is { } authorities)
                {
                    // Trust exactly the configured authorities (a private CA), not the system's roots.
                    var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
                    policy.CustomTrustStore.AddRange(authorities);
                    options.CertificateChainPolicy = policy;
                }

                try
                {
                    await ssl.AuthenticateAsClientAsync(options, timeout.Token);
                }
                catch (AuthenticationException e)
                {
                    var trust = endpoint.SslCaFile is null ? "the system's trusted roots" : $"the authorities in sslCaFile={endpoint.SslCaFile}";
                    throw new RedisConnectionException(
                        $"TLS with Redis at {endpoint} failed: {e.Message} The server's certificate must chain to {trust} and name '{options.TargetHost}' (set sslHost= when the name differs, sslCaFile= for a private CA).",
                        e);
                }
            }

            connection = new RedisConnection(socket, stream);
            await connection.HandshakeAsync(endpoint, timeout.Token);
            return connection;
        }
        catch (Exception e)
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }
            else
            {
                socket.Dispose();
            }

            if (e is RedisException)
            {
                throw;
            }

            if (e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                throw new RedisConnectionException($"Opening a connection to Redis at {endpoint} (TLS and AUTH) timed out after {endpoint.ConnectTimeout.TotalMilliseconds} ms.", e);
            }

            throw new RedisConnectionException($"Cannot open a connection to Redis at {endpoint}: {e.Message}", e);
        }
    }

    /// <summary>Sends <paramref name="args"/> and returns its reply (error replies are returned, not thrown).</summary>
    public Task<RedisReply> ExecuteAsync(RedisArg[] args, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _fault) is { } fault)
        {
            return Task.FromException<RedisReply>(ClosedError(fault));
        }

        var command = new PendingCommand(args);
        if (cancellationToken.CanBeCanceled)
        {
            // The reply, when it comes, is still read and matched to this command; only the caller stops waiting.
            command.Registration = cancellationToken.UnsafeRegister(static (state, token) => ((PendingCommand)state!).TrySetCanceled(token), command);
        }

        if (!_outbox.Writer.TryWrite(command))
        {
            command.TrySetException(ClosedError(Volatile.Read(ref _fault)));
        }

        return command.Task;
    }

    /// <summary>Closes the socket, which ends both loops and fails every pending command.</summary>
    public void Abort(Exception reason) => Fault(reason);

    public async ValueTask DisposeAsync()
    {
        Fault(new ObjectDisposedException(nameof(RedisConnection)));
        try
        {
            await Task.WhenAll(_writeLoop, _readLoop);
        }
        catch (Exception)
        {
            // The loops end by faulting; their exceptions were delivered to the pending commands.
        }

        await _stream.DisposeAsync();
        _socket.Dispose();
    }

    private static RedisConnectionException ClosedError(Exception? fault) =>
        fault as RedisConnectionException ?? new RedisConnectionException("The Redis connection is closed" + (fault is null ? "." : ": " + fault.Message), fault);

    private async Task HandshakeAsync(RedisEndpoint endpoint, CancellationToken cancellationToken)
    {
        RedisArg[]? command = null;
        if (endpoint.Protocol == 3)
        {
            command = endpoint.Password is null
                ? ["HELLO", 3L]
                : ["HELLO", 3L, "AUTH", endpoint.User ?? "default", endpoint.Password];
        }
        else if (endpoint.Password is not null)
        {
            command = endpoint.User is null ? ["AUTH", endpoint.Password] : ["AUTH", endpoint.User, endpoint.Password];
        }

        if (command is null)
        {
            return;
        }

        var reply = await ExecuteAsync(command, cancellationToken);
        if (reply.IsError)
        {
            var who = endpoint.User is null ? "the default user" : $"user '{endpoint.User}'";
            throw new RedisConnectionException(
                $"Redis at {endpoint} refused authentication for {who}: {reply.Text}. Check the password= and user= settings of State:Redis:Connection.",
                new RedisServerException(reply.Text ?? "error"));
        }
    }

    private async Task WriteLoopAsync()
    {
        try
        {
            var outbox = _outbox.Reader;
            while (await outbox.WaitToReadAsync())
            {
                while (outbox.TryRead(out var command))
                {
                    if (command.Task.IsCompleted)
                    {
                        // The caller gave up before the command was sent: nothing to send, no reply to wait for.
                        continue;
                    }

                    RespWriter.Write(_writer, command.Args);
                    if (!command.ExpectsReply)
                    {
                        continue;
                    }

                    if (_pending.IsEmpty)
                    {
                        // The stall clock starts when the first command of a quiet connection is sent, not at the last reply.
                        Volatile.Write(ref _lastReadTimestamp, System.Diagnostics.Stopwatch.GetTimestamp());
                    }

                    _pending.Enqueue(command);
                    if (Volatile.Read(ref _fault) is { } fault)
                    {
                        // Faulted while this command was in hand: Fault may already have drained the queue.
                        command.TrySetException(ClosedError(fault));
                    }
                }

                var flushed = await _writer.FlushAsync();
                if (flushed.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (Exception e)
        {
            Fault(new RedisConnectionException("Writing to Redis failed: " + e.Message, e));
        }
    }

    private async Task ReadLoopAsync()
    {
        try
        {
            while (true)
            {
                var read = await _reader.ReadAsync();
                Volatile.Write(ref _lastReadTimestamp, System.Diagnostics.Stopwatch.GetTimestamp());
                var buffer = read.Buffer;
                while (RespParser.TryParse(ref buffer, out var reply))
                {
                    if (reply.Kind == RedisReplyKind.Push)
                    {
                        // RESP3 out-of-band data (pub/sub messages among them): never a reply to a command.
                        Volatile.Read(ref _messages)?.Invoke(reply);
                        continue;
                    }

                    if (!_pending.TryDequeue(out var command))
                    {
                        var messages = Volatile.Read(ref _messages) ?? throw new RedisProtocolException("a reply arrived with no command waiting for it");
                        messages(reply);
                        continue;
                    }

                    command.Complete(reply);
                }

                _reader.AdvanceTo(buffer.Start, buffer.End);
                if (read.IsCompleted)
                {
                    Fault(new RedisConnectionException(buffer.IsEmpty
                        ? "Redis closed the connection."
                        : $"Redis closed the connection in the middle of a reply ({buffer.Length} bytes of it received)."));
                    return;
                }
            }
        }
        catch (Exception e)
        {
            Fault(e is RedisException ? e : new RedisConnectionException("Reading from Redis failed: " + e.Message, e));
        }
    }

    private void Fault(Exception reason)
    {
        if (Interlocked.CompareExchange(ref _fault, reason, null) is not null)
        {
            return;
        }

        _outbox.Writer.TryComplete();
        _closed.TrySetResult();
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception)
        {
            // Already closed.
        }

        _socket.Close();
        var error = ClosedError(reason);
        while (_pending.TryDequeue(out var command))
        {
            command.TrySetException(error);
        }

        while (_outbox.Reader.TryRead(out var command))
        {
            command.TrySetException(error);
        }
    }

    /// <summary>A command waiting for its reply.</summary>
    private sealed class PendingCommand : TaskCompletionSource<RedisReply>
    {
        public PendingCommand(RedisArg[] args)
            : base(TaskCreationOptions.RunContinuationsAsynchronously) => Args = args;

        public RedisArg[] Args { get; }

        public CancellationTokenRegistration Registration { get; set; }

        public bool ExpectsReply { get; init; } = true;

        public void Complete(RedisReply reply)
        {
            TrySetResult(reply);
            Registration.Dispose();
        }
    }
}
