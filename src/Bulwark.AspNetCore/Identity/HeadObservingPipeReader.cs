using System.Buffers;
using System.IO.Pipelines;

namespace Bulwark.AspNetCore.Identity;

/// <summary>
/// Wraps a connection's input: passes every read through unchanged and shows each byte once, the first time it is
/// returned, to a <see cref="RequestHeadScanner"/>. Consumption and examination are the inner reader's, exactly as
/// Kestrel asks.
/// </summary>
internal sealed class HeadObservingPipeReader(PipeReader inner, RequestHeadScanner scanner) : PipeReader
{
    private ReadOnlySequence<byte> _last;

    // How many bytes at the start of the next buffer the scanner has already seen (returned before, not consumed).
    private long _seen;

    public override async ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        var result = await inner.ReadAsync(cancellationToken).ConfigureAwait(false);
        Observe(result.Buffer);
        return result;
    }

    public override bool TryRead(out ReadResult result)
    {
        if (!inner.TryRead(out result))
        {
            return false;
        }

        Observe(result.Buffer);
        return true;
    }

    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        _seen = _last.Length - _last.Slice(_last.Start, consumed).Length;
        _last = default;
        inner.AdvanceTo(consumed, examined);
    }

    public override void CancelPendingRead() => inner.CancelPendingRead();

    public override void Complete(Exception? exception = null) => inner.Complete(exception);

    public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);

    private void Observe(in ReadOnlySequence<byte> buffer)
    {
        _last = buffer;
        if (!scanner.Stopped && buffer.Length > _seen)
        {
            scanner.Scan(buffer.Slice(_seen));
        }

        _seen = buffer.Length;
    }
}
