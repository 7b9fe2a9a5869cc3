using System.Text.Json;
using System.Threading.Channels;
using Bulwark.Core.Decisions;
using Bulwark.Core.Policy;

namespace Bulwark.Core.Audit;

/// <summary>
/// Appends decision records to a JSON Lines file from a background task. The request path only enqueues; when the queue
/// (bounded, 65,536 records) is full the oldest record waiting is dropped and counted, never the request held.
/// </summary>
public sealed class JsonLinesDecisionWriter : IDecisionSink, IAsyncDisposable
{
    private readonly Channel<(Decision Decision, RequestContext Request, long? Line, string? Label)> _queue;
    private readonly DecisionRecordFormatter _formatter;
    private readonly Stream _stream;
    private readonly Task _pump;
    private long _dropped;

    /// <summary>Opens (appending) or creates <paramref name="path"/>.</summary>
    public JsonLinesDecisionWriter(string path, PrivacyOptions privacy)
        : this(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read, 64 * 1024), privacy)
    {
    }

    /// <summary>Writes to <paramref name="stream"/>, which this writer owns.</summary>
    public JsonLinesDecisionWriter(Stream stream, PrivacyOptions privacy)
    {
        _stream = stream;
        _formatter = new DecisionRecordFormatter(privacy);
        _queue = Channel.CreateBounded<(Decision, RequestContext, long?, string?)>(
            new BoundedChannelOptions(65_536) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            _ => Interlocked.Increment(ref _dropped));
        _pump = Task.Run(PumpAsync);
    }

    /// <summary>Records dropped because the writer fell behind.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <inheritdoc />
    public void Record(Decision decision, RequestContext request, long? line = null, string? label = null) =>
        _queue.Writer.TryWrite((decision, request, line, label));

    private async Task PumpAsync()
    {
        var newline = "\n"u8.ToArray();
        await using var writer = new Utf8JsonWriter(_stream, new JsonWriterOptions { SkipValidation = true });
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (_queue.Reader.TryRead(out var item))
            {
                _formatter.Write(writer, item.Decision, item.Request, item.Line, item.Label);
                await writer.FlushAsync().ConfigureAwait(false);
                writer.Reset();
                await _stream.WriteAsync(newline).ConfigureAwait(false);
            }

            await _stream.FlushAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Writes what is queued, then closes the file.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _pump.ConfigureAwait(false);
        await _stream.DisposeAsync().ConfigureAwait(false);
    }
}
