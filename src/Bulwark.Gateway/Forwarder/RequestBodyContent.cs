using System.Buffers;
using System.Net;

namespace Bulwark.Gateway.Forwarder;

/// <summary>
/// Streams the client's request body to the upstream as it arrives, through one pooled buffer. A failure reading the
/// client (gone, too slow, too large) is kept in <see cref="ClientFailure"/> so the proxy can tell it from an upstream
/// failure: the client's fault must not open the circuit breaker.
/// </summary>
internal sealed class RequestBodyContent(Stream body, CancellationToken clientAborted) : HttpContent
{
    private const int BufferSize = 64 * 1024;

    /// <summary>The exception reading the client's body threw, if any.</summary>
    public Exception? ClientFailure { get; private set; }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            while (true)
            {
                int read;
                try
                {
                    read = await body.ReadAsync(buffer, clientAborted).ConfigureAwait(false);
                }
                catch (Exception exception)
                {
                    ClientFailure = exception;
                    throw;
                }

                if (read == 0)
                {
                    return;
                }

                await stream.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false; // Content-Length, when the client sent one, is copied as a header; else the upstream gets chunks
    }
}
