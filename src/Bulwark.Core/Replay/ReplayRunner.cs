using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using Bulwark.Core.Audit;
using Bulwark.Core.Decisions;
using Bulwark.Core.Net;
using Bulwark.Core.Policy;

namespace Bulwark.Core.Replay;

/// <summary>
/// Runs request records through the engine on a simulated clock — each record's own timestamp — exactly as the gateway
/// would decide them, writes decision records (CONTRACTS.md §3), and gathers a <see cref="ReplaySummary"/>. Records may
/// arrive out of order by up to <see cref="ToleratedSkew"/>; larger steps back are counted and reported. Upstream status
/// and latency in the records feed the engine's feedback, so failure-counting limits and learning detectors work.
/// </summary>
public sealed class ReplayRunner
{
    /// <summary>How far back a record's time may step without being reported.</summary>
    public static readonly TimeSpan ToleratedSkew = TimeSpan.FromSeconds(5);

    private const int MaxErrorsKept = 20;
    private static readonly TimeSpan TimelineBucket = TimeSpan.FromMinutes(1);

    private readonly BulwarkEngine _engine;
    private readonly RequestRecordParser _parser;
    private readonly DecisionRecordFormatter _formatter;
    private readonly PrivacyOptions _privacy;
    private DateTimeOffset _lastBucket;
    private long[]? _lastCounts;

    /// <summary>Creates a runner over <paramref name="engine"/> with the identity and privacy settings of <paramref name="options"/>.</summary>
    public ReplayRunner(BulwarkEngine engine, BulwarkOptions options)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(options);
        _engine = engine;
        _parser = new RequestRecordParser(options.Identity);
        _formatter = new DecisionRecordFormatter(options.Privacy);
        _privacy = options.Privacy;
    }

    /// <summary>
    /// Replays every line of <paramref name="input"/>; writes one decision record per decided line to
    /// <paramref name="decisions"/> when given. <paramref name="progress"/> receives the bytes consumed so far.
    /// </summary>
    public async Task<ReplaySummary> RunAsync(Stream input, Stream? decisions, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        var summary = new ReplaySummary();
        _lastCounts = null;
        var reader = PipeReader.Create(input, new StreamPipeReaderOptions(bufferSize: 1 << 16));
        await using var writer = decisions is null ? null : new Utf8JsonWriter(decisions, new JsonWriterOptions { SkipValidation = true });
        var state = new RunState();
        long consumed = 0;
        while (true)
        {
            var read = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = read.Buffer;
            while (TryReadLine(ref buffer, out var line, out var length))
            {
                consumed += length;
                await ProcessAsync(line, summary, state, writer, decisions, cancellationToken).ConfigureAwait(false);
            }

            if (read.IsCompleted && !buffer.IsEmpty)
            {
                consumed += buffer.Length;
                await ProcessAsync(buffer, summary, state, writer, decisions, cancellationToken).ConfigureAwait(false);
                buffer = buffer.Slice(buffer.End);
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
            progress?.Report(consumed);
            if (read.IsCompleted)
            {
                break;
            }
        }

        await reader.CompleteAsync().ConfigureAwait(false);
        if (decisions is not null)
        {
            await decisions.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        return summary;
    }

    private static bool TryReadLine(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> line, out long length)
    {
        var newline = buffer.PositionOf((byte)'\n');
        if (newline is null)
        {
            line = default;
            length = 0;
            return false;
        }

        line = buffer.Slice(0, newline.Value);
        length = line.Length + 1;
        buffer = buffer.Slice(buffer.GetPosition(1, newline.Value));
        return true;
    }

    private async ValueTask ProcessAsync(ReadOnlySequence<byte> sequence, ReplaySummary summary, RunState state, Utf8JsonWriter? writer, Stream? decisions, CancellationToken cancellationToken)
    {
        state.LineNumber++;
        var bytes = sequence.IsSingleSegment ? sequence.FirstSpan : sequence.ToArray();
        if (!bytes.IsEmpty && bytes[^1] == (byte)'\r')
        {
            bytes = bytes[..^1];
        }

        if (bytes.Trim((byte)' ').IsEmpty)
        {
            return;
        }

        summary.Lines++;
        if (!_parser.TryParse(bytes, state.LineNumber, out var record, out var error))
        {
            summary.Skipped++;
            if (summary.Errors.Count < MaxErrorsKept)
            {
                summary.Errors.Add((state.LineNumber, error));
            }

            return;
        }

        var request = record.Request;
        if (state.Latest is { } latest && latest - request.Timestamp > ToleratedSkew)
        {
            summary.TimeJumps++;
            if (summary.Jumps.Count < MaxErrorsKept)
            {
                summary.Jumps.Add((state.LineNumber, (latest - request.Timestamp).TotalSeconds));
            }
        }

        state.Latest = state.Latest is { } l && l > request.Timestamp ? l : request.Timestamp;
        var decision = await _engine.Decide(request, cancellationToken).ConfigureAwait(false);
        var upstream = decision.IsRefusal ? 0 : record.Status ?? 0;
        await _engine.Feedback(decision, request, upstream, TimeSpan.FromMilliseconds(record.LatencyMs ?? 0), cancellationToken).ConfigureAwait(false);
        Count(summary, record, decision);

        if (writer is not null && decision.Covered)
        {
            // The stream is buffered by the caller: a synchronous flush per record copies into that buffer, no I/O.
            _formatter.Write(writer, decision, request, record.Line, record.Label);
            writer.Flush();
            writer.Reset();
            decisions!.WriteByte((byte)'\n');
        }
    }

    private void Count(ReplaySummary summary, RequestRecord record, Decision decision)
    {
        summary.Decided++;
        var timestamp = record.Request.Timestamp;
        summary.TimeSpan = summary.TimeSpan is { } span
            ? (timestamp < span.First ? timestamp : span.First, timestamp > span.Last ? timestamp : span.Last)
            : (timestamp, timestamp);

        var mitigated = decision.Action != DecisionAction.Allow;
        var key = (decision.Policy ?? "(none)", BulwarkMetrics.ActionName(decision.Action), decision.ReasonCode);
        summary.Actions[key] = summary.Actions.GetValueOrDefault(key) + 1;

        var bucket = new DateTimeOffset(timestamp.UtcTicks - (timestamp.UtcTicks % TimelineBucket.Ticks), TimeSpan.Zero);
        if (bucket != _lastBucket || _lastCounts is null)
        {
            if (!summary.Timeline.TryGetValue(bucket, out _lastCounts))
            {
                summary.Timeline[bucket] = _lastCounts = new long[4];
            }

            _lastBucket = bucket;
        }

        _lastCounts[(int)decision.Action]++;

        var actor = record.Request.ClientIp.FormatMasked(_privacy.Ipv4MaskBits, _privacy.Ipv6MaskBits);
        if (summary.Actors.TryGetValue(actor, out var seen) || summary.Actors.Count < ReplaySummary.MaxActors)
        {
            summary.Actors[actor] = (seen.Requests + 1, seen.Mitigated + (mitigated ? 1 : 0));
        }
        else
        {
            summary.ActorsTruncated = true;
        }

        foreach (var reason in decision.Reasons)
        {
            summary.Signals[reason.Signal] = summary.Signals.GetValueOrDefault(reason.Signal) + 1;
        }

        if (record.Label is { } label)
        {
            if (!summary.Labels.TryGetValue(label, out var stats))
            {
                summary.Labels[label] = stats = new LabelStats();
            }

            stats.Requests++;
            if (mitigated)
            {
                stats.Mitigated++;
                stats.FirstMitigated ??= stats.Requests;
            }

            if (decision.Action == DecisionAction.Block)
            {
                stats.Blocked++;
            }
        }
    }

    private sealed class RunState
    {
        public long LineNumber;
        public DateTimeOffset? Latest;
    }
}
