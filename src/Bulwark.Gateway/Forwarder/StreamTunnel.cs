using System.Buffers;

namespace Bulwark.Gateway.Forwarder;

/// <summary>
/// Joins two opaque streams byte for byte (an upgraded HTTP/1.1 connection, an HTTP/2 extended CONNECT stream) until
/// either side ends or breaks, then stops the other direction: the tunnel is over either way.
/// </summary>
internal static class StreamTunnel
{
    private const int BufferSize = 16 * 1024;

    /// <summary>Pumps <paramref name="client"/> → <paramref name="upstream"/> and back until one side closes, breaks or the client aborts.</summary>
    public static async Task JoinAsync(Stream client, Stream upstream, CancellationToken clientAborted)
    {
        using var done = CancellationTokenSource.CreateLinkedTokenSource(clientAborted);
        var up = PumpAsync(client, upstream, done.Token);
        var down = PumpAsync(upstream, client, done.Token);
        await Task.WhenAny(up, down).ConfigureAwait(false);
        await done.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(up, down).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // one side closed or broke; the other pump was cancelled: the tunnel is over either way
        }
    }

    private static async Task PumpAsync(Stream from, Stream to, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            while (true)
            {
                var read = await from.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return;
                }

                await to.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                await to.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
