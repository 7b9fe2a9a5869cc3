using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.InteropServices;
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

    private const int FlushThreshold = 1 << 16;

    private readonly BulwarkEngine _engine;
    private readonly IRequestRecordParser _parser;
    private readonly DecisionRecordFormatter _formatter;
    private readonly PrivacyOptions _privacy;
    private DateTimeOffset _lastBucket;
    private long[]? _lastCounts;
    private string? _lastLabel;
    private LabelStats? _lastLabelStats;

    /// <summary>Creates a runner over <paramref name="engine"/> with the identity and privacy settings of <paramref name="options"/>, reading <paramref name="format"/>.</summary>
    public ReplayRunner(BulwarkEngine engine, BulwarkOptions options, ReplayInputFormat format = ReplayInputFormat.JsonLines)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(options);
        _engine = engine;
        _parser = RequestRecordParsers.Create(format, options.Identity);
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
        _lastLabel = null;
        _lastLabelStats = null;
        var reader = PipeReader.Create(input, new StreamPipeReaderOptions(bufferSize: 1 << 16));

        // Decision records are formatted into one buffer and written to the stream synchronously every 64 KiB: no
        // per-record flush, no per-record async state machine.
        var output = decisions is null ? null : new Output(decisions);
        var state = new RunState();
        long consumed = 0;
        while (true)
        {
            var read = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = read.Buffer;
            while (TryReadLine(ref buffer, out var line, out var length))
            {
                consumed += length;
                var pending = Process(line, summary, state, output, cancellationToken);
                if (!pending.IsCompletedSuccessfully)
                {
                    await pending.ConfigureAwait(false);
                }
            }

            if (read.IsCompleted && !buffer.IsEmpty)
            {
                consumed += buffer.Length;
                await Process(buffer, summary, state, output, cancellationToken).ConfigureAwait(false);
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
        if (output is not null)
        {
            output.Drain();
            await decisions!.FlushAsync(cancellationToken).ConfigureAwait(false);
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

    /// <summary>Parses and decides one line; completes synchronously unless the engine's store is remote.</summary>
    private ValueTask Process(ReadOnlySequence<byte> sequence, ReplaySummary summary, RunState state, Output? output, CancellationToken cancellationToken)
    {
        state.LineNumber++;
        var bytes = sequence.IsSingleSegment ? sequence.FirstSpan : sequence.ToArray();
        if (!bytes.IsEmpty && bytes[^1] == (byte)'\r')
        {
            bytes = bytes[..^1];
        }

        if (bytes.Trim((byte)' ').IsEmpty)
        {
            return ValueTask.CompletedTask;
        }

        summary.Lines++;
        if (!_parser.TryParse(bytes, state.LineNumber, out var record, out var error))
        {
            summary.Skipped++;
            if (summary.Errors.Count < MaxErrorsKept)
            {
                summary.Errors.Add((state.LineNumber, error));
            }

            return ValueTask.CompletedTask;
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
        var deciding = _engine.Decide(request, cancellationToken);
        if (!deciding.IsCompletedSuccessfully)
        {
            return CompleteAsync(deciding, record, summary, output, cancellationToken);
        }

        var feedback = Complete(deciding.Result, record, summary, output, cancellationToken);
        return feedback.IsCompletedSuccessfully ? ValueTask.CompletedTask : feedback;
    }

    private async ValueTask CompleteAsync(ValueTask<Decision> deciding, RequestRecord record, ReplaySummary summary, Output? output, CancellationToken cancellationToken)
    {
        var decision = await deciding.ConfigureAwait(false);
        await Complete(decision, record, summary, output, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Feeds the recorded outcome back, counts the decision and writes its record.</summary>
    private ValueTask Complete(Decision decision, RequestRecord record, ReplaySummary summary, Output? output, CancellationToken cancellationToken)
    {
        var request = record.Request;
        var upstream = decision.IsRefusal ? 0 : record.Status ?? 0;
        var feedback = _engine.Feedback(decision, request, upstream, TimeSpan.FromMilliseconds(record.LatencyMs ?? 0), cancellationToken);
        Count(summary, record, decision);
        if (output is not null && decision.Covered)
        {
            _formatter.Write(output.Writer, decision, request, record.Line, record.Label);
            output.EndRecord();
        }

        return feedback;
    }

    private void Count(ReplaySummary summary, RequestRecord record, Decision decision)
    {
        summary.Decided++;
        summary.SavedUsd += decision.SavedUsd;
        var timestamp = record.Request.Timestamp;
        summary.TimeSpan = summary.TimeSpan is { } span
            ? (timestamp < span.First ? timestamp : span.First, timestamp > span.Last ? timestamp : span.Last)
            : (timestamp, timestamp);

        var mitigated = decision.Action != DecisionAction.Allow;
        var key = (decision.Policy ?? "(none)", BulwarkMetrics.ActionName(decision.Action), decision.ReasonCode);
        CollectionsMarshal.GetValueRefOrAddDefault(summary.Actions, key, out _)++;

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

        // Look the actor up by its masked text on the stack; a string is made only for an actor seen the first time.
        Span<char> actor = stackalloc char[64];
        record.Request.ClientIp.TryFormatMasked(_privacy.Ipv4MaskBits, _privacy.Ipv6MaskBits, actor, out var actorLength);
        actor = actor[..actorLength];
        var actors = summary.Actors.GetAlternateLookup<ReadOnlySpan<char>>();
        if (summary.Actors.Count < ReplaySummary.MaxActors)
        {
            ref var seen = ref CollectionsMarshal.GetValueRefOrAddDefault(actors, actor, out _);
            seen = (seen.Requests + 1, seen.Mitigated + (mitigated ? 1 : 0));
        }
        else if (actors.TryGetValue(actor, out var seen))
        {
            actors[actor] = (seen.Requests + 1, seen.Mitigated + (mitigated ? 1 : 0));
        }
        else
        {
            summary.ActorsTruncated = true;
        }

        foreach (var reason in decision.Reasons)
        {
            CollectionsMarshal.GetValueRefOrAddDefault(summary.Signals, reason.Signal, out _)++;
        }

        if (record.Label is { } label)
        {
            var stats = ReferenceEquals(label, _lastLabel) ? _lastLabelStats! : null;
            if (stats is null && !summary.Labels.TryGetValue(label, out stats))
            {
                summary.Labels[label] = stats = new LabelStats();
            }

            (_lastLabel, _lastLabelStats) = (label, stats);

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

            stats.Curve.Add(stats.Requests, stats.Mitigated);
        }
    }

    private sealed class RunState
    {
        public long LineNumber;
        public DateTimeOffset? Latest;
    }

    /// <summary>Decision records in a growing buffer, written to the stream in 64 KiB pieces.</summary>
    private sealed class Output
    {
        private readonly ArrayBufferWriter<byte> _buffer = new(FlushThreshold * 2);
        private readonly Stream _stream;

        public Output(Stream stream)
        {
            _stream = stream;
            Writer = new Utf8JsonWriter(_buffer, new JsonWriterOptions { SkipValidation = true });
        }

        public Utf8JsonWriter Writer { get; }

        public void EndRecord()
        {
            Writer.Flush();
            var newline = _buffer.GetSpan(1);
            newline[0] = (byte)'\n';
            _buffer.Advance(1);
            Writer.Reset();
            if (_buffer.WrittenCount >= FlushThreshold)
            {
                Drain();
            }
        }

        public void Drain()
        {
            _stream.Write(_buffer.WrittenSpan);
            _buffer.ResetWrittenCount();
        }
    }
}
