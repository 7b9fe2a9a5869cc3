using System.Globalization;
using Bulwark.Core.Decisions;
using Bulwark.Core.Pipeline;

namespace Bulwark.Core.Behavior;

/// <summary>
/// Cluster activity that needs no baseline, so it works when an attack is there from the first request. Per fingerprint
/// group (JA4 × header order: the fingerprint cluster without the User-Agent family, which rotating scrapers change per
/// request) over the current and previous window: requests, requests without
/// client state (no cookie, Authorization, session, API key or account), distinct IP groups (HyperLogLog), and requests
/// carrying TLS-level evidence. Signals, only ever on a stateless request that itself carries automation evidence:
/// <list type="bullet">
/// <item><c>cluster_churn</c>: the cluster sends at least <see cref="ClusterActivityOptions.MinRequests"/> requests at
/// <see cref="ClusterActivityOptions.MinRatePerSecond"/> or more, almost all stateless, from addresses that each send at most
/// <see cref="ClusterActivityOptions.MaxRequestsPerAddress"/> — one request from each of many residential proxies.</item>
/// <item><c>cluster_ceiling</c>: a cluster of stateless requests whose TLS contradicts the browser they claim runs above
/// <see cref="ClusterActivityOptions.CeilingPerSecond"/> — a flood however many addresses it spreads over.</item>
/// </list>
/// A flagged cluster stays flagged for <see cref="ClusterActivityOptions.HoldSeconds"/>. Clusters live in a Space-Saving
/// table of <see cref="ClusterActivityOptions.TrackedClusters"/> slots: memory is fixed under any number of clusters.
/// </summary>
public sealed class ClusterActivityDetector : IDetector
{
    private const int SlotRegisters = 2 * HyperLogLog128.Registers;

    private readonly BehaviorState _state;
    private readonly ClusterActivityOptions _options;
    private readonly long _windowTicks;
    private readonly long _ceilingTicks;
    private readonly long _holdTicks;
    private readonly HashSet<string> _evidence;
    private readonly HashSet<string> _tlsEvidence;
    private readonly Lock _gate = new();
    private readonly Slot[] _slots;
    private readonly byte[] _registers;
    private int _used;

    /// <summary>Creates the detector over shared behaviour state.</summary>
    public ClusterActivityDetector(BehaviorState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        _state = state;
        _options = state.Options.Clusters;
        _windowTicks = TimeSpan.FromSeconds(_options.WindowSeconds).Ticks;
        _ceilingTicks = TimeSpan.FromSeconds(_options.CeilingWindowSeconds).Ticks;
        _holdTicks = TimeSpan.FromSeconds(_options.HoldSeconds).Ticks;
        _evidence = new HashSet<string>(_options.EvidenceSignals, StringComparer.Ordinal);
        _tlsEvidence = new HashSet<string>(_options.TlsEvidenceSignals, StringComparer.Ordinal);
        _slots = new Slot[_options.TrackedClusters];
        _registers = new byte[_options.TrackedClusters * SlotRegisters];
    }

    /// <summary>Bytes the table holds: per slot its counters and two 128-byte HyperLogLog sketches.</summary>
    public int Bytes => (_slots.Length * System.Runtime.CompilerServices.Unsafe.SizeOf<Slot>()) + _registers.Length;

    /// <inheritdoc />
    public void Detect(RequestContext request, EvaluationContext context)
    {
        if (!_options.Enabled)
        {
            return;
        }

        var identity = _state.Track(request, context).Identity;
        var stateless = request.Session is null && request.ApiKey is null && request.Account is null
            && request.Headers["cookie"] is null && request.Headers["authorization"] is null;
        var evidence = false;
        var tlsEvidence = false;
        foreach (var signal in context.Signals)
        {
            evidence |= _evidence.Contains(signal.Signal);
            tlsEvidence |= _tlsEvidence.Contains(signal.Signal);
        }

        // Keyed by JA4 × header order without the User-Agent family: a scraper rotating User-Agents over one HTTP stack stays
        // one group (Chrome, Edge and Opera people share a group too, which is harmless: only evidence-bearing requests count).
        var group = BehaviorHash.NonZero(BehaviorHash.Combine(identity.Ja4, identity.HeaderOrder));
        // Only a stateless request with evidence can be signalled: the others are counted and not judged, which spares
        // them the sketch's estimate (the costly part).
        var judge = stateless && (evidence || tlsEvidence);
        var finding = Count(group, identity.IpGroup, identity.Ticks, stateless, tlsEvidence, judge);
        if (!judge)
        {
            return;
        }

        if (evidence && finding.Churn)
        {
            context.AddSignal(BehaviorSignals.ClusterChurn, 60, string.Create(CultureInfo.InvariantCulture,
                $"fingerprint group {GroupId(group)} (JA4 × header order): {finding.Requests} requests at {finding.Rate:0.#}/s from about {finding.Addresses:0} addresses ({finding.Requests / Math.Max(finding.Addresses, 1):0.##} each), {finding.StatelessShare:P0} without cookie or session{(finding.ChurnHeld ? " (flagged earlier, held)" : "")}"));
        }

        if (tlsEvidence && finding.Ceiling)
        {
            context.AddSignal(BehaviorSignals.ClusterCeiling, 60, string.Create(CultureInfo.InvariantCulture,
                $"fingerprint group {GroupId(group)} (JA4 × header order): {finding.CeilingRate:0.#}/s of stateless requests whose TLS contradicts their User-Agent, above the ceiling {_options.CeilingPerSecond:0.#}/s{(finding.CeilingHeld ? " (flagged earlier, held)" : "")}"));
        }
    }

    /// <summary>A short printable name of the fingerprint group for evidence (a hash: it names no client).</summary>
    private static string GroupId(ulong group) => "g" + group.ToString("x16", CultureInfo.InvariantCulture)[..12];

    /// <inheritdoc />
    public void Observe(RequestContext request, Decision decision, int statusCode, TimeSpan latency)
    {
    }

    /// <summary>What one count found.</summary>
    internal readonly record struct Finding(
        bool Churn, bool ChurnHeld, bool Ceiling, bool CeilingHeld, long Requests, double Rate, double Addresses, double StatelessShare, double CeilingRate);

    internal Finding Count(ulong cluster, ulong ipGroup, long now, bool stateless, bool tlsEvidence, bool judge = true)
    {
        lock (_gate)
        {
            var index = SlotOfUnsynchronized(cluster, now);
            ref var slot = ref _slots[index];
            var registers = _registers.AsSpan(index * SlotRegisters, SlotRegisters);
            Roll(ref slot, registers, now);
            slot.Requests++;
            slot.Stateless += stateless ? 1 : 0;
            slot.TlsEvidence += tlsEvidence ? 1 : 0;
            slot.CeilingCount++;
            HyperLogLog128.Add(registers[..HyperLogLog128.Registers], ipGroup);
            if (!judge)
            {
                return default;
            }

            var requests = slot.Requests + slot.PreviousRequests;
            var span = Math.Max(now - slot.SpanStart, TimeSpan.TicksPerSecond) / (double)TimeSpan.TicksPerSecond;
            var rate = requests / span;
            var statelessShare = (slot.Stateless + slot.PreviousStateless) / (double)requests;
            var addresses = HyperLogLog128.EstimateUnion(registers[..HyperLogLog128.Registers], registers[HyperLogLog128.Registers..]);
            // Only a group watched for a full window is judged: right after a restart (or when a crowd's group first appears)
            // every visitor's first request is cookie-less and every address new, which is no evidence of anything.
            var churn = now - slot.Since >= _windowTicks && requests >= _options.MinRequests && rate >= _options.MinRatePerSecond
                && statelessShare >= _options.MinStatelessShare && requests <= _options.MaxRequestsPerAddress * addresses;
            var churnHeld = !churn && now < slot.ChurnUntil;
            if (churn)
            {
                slot.ChurnUntil = now + _holdTicks;
            }

            var ceilingSpan = Math.Max(now - slot.CeilingStart, TimeSpan.TicksPerSecond) / (double)TimeSpan.TicksPerSecond;
            var ceilingRate = slot.CeilingCount / Math.Max(ceilingSpan, _options.CeilingWindowSeconds / 2.0);
            var evidenceShare = (slot.TlsEvidence + slot.PreviousTlsEvidence) / (double)requests;
            var ceiling = _options.CeilingPerSecond > 0 && ceilingRate > _options.CeilingPerSecond
                && evidenceShare >= _options.MinEvidenceShare && statelessShare >= _options.MinStatelessShare;
            var ceilingHeld = !ceiling && now < slot.CeilingUntil;
            if (ceiling)
            {
                slot.CeilingUntil = now + _holdTicks;
            }

            return new Finding(churn || churnHeld, churnHeld, ceiling || ceilingHeld, ceilingHeld, requests, rate, addresses, statelessShare, ceilingRate);
        }
    }

    // Space-Saving over clusters: a cluster not tracked takes the slot with the fewest recent requests (a held slot only when
    // every slot is held). Its counters start afresh: every figure is exact for the time since it took the slot.
    private int SlotOfUnsynchronized(ulong cluster, long now)
    {
        var victim = -1;
        long fewest = long.MaxValue;
        for (var i = 0; i < _used; i++)
        {
            ref var slot = ref _slots[i];
            if (slot.Key == cluster)
            {
                return i;
            }

            var held = now < slot.ChurnUntil || now < slot.CeilingUntil;
            var weight = slot.Requests + (long)slot.PreviousRequests + (held ? int.MaxValue : 0L);
            if (weight < fewest)
            {
                fewest = weight;
                victim = i;
            }
        }

        if (_used < _slots.Length)
        {
            victim = _used++;
        }

        _slots[victim] = new Slot { Key = cluster, Since = now, WindowStart = now, SpanStart = now, CeilingStart = now };
        _registers.AsSpan(victim * SlotRegisters, SlotRegisters).Clear();
        return victim;
    }

    private void Roll(ref Slot slot, Span<byte> registers, long now)
    {
        if (now - slot.CeilingStart >= _ceilingTicks)
        {
            slot.CeilingStart = now - slot.CeilingStart >= 2 * _ceilingTicks ? now : slot.CeilingStart + _ceilingTicks;
            slot.CeilingCount = 0;
        }

        if (now - slot.WindowStart < _windowTicks)
        {
            return;
        }

        var skipped = now - slot.WindowStart >= 2 * _windowTicks;
        var current = registers[..HyperLogLog128.Registers];
        var previous = registers[HyperLogLog128.Registers..];
        if (skipped)
        {
            previous.Clear();
        }
        else
        {
            current.CopyTo(previous);
        }

        current.Clear();
        slot.PreviousRequests = skipped ? 0 : slot.Requests;
        slot.PreviousStateless = skipped ? 0 : slot.Stateless;
        slot.PreviousTlsEvidence = skipped ? 0 : slot.TlsEvidence;
        slot.Requests = slot.Stateless = slot.TlsEvidence = 0;
        slot.SpanStart = skipped ? now : slot.WindowStart;
        slot.WindowStart = skipped ? now : slot.WindowStart + _windowTicks;
    }

    /// <summary>One tracked group (88 bytes) and, beside it in the register array, its current and previous sketches.</summary>
    private struct Slot
    {
        public ulong Key;
        public long Since;
        public long WindowStart;
        public long SpanStart;
        public long CeilingStart;
        public long ChurnUntil;
        public long CeilingUntil;
        public int Requests;
        public int PreviousRequests;
        public int Stateless;
        public int PreviousStateless;
        public int TlsEvidence;
        public int PreviousTlsEvidence;
        public int CeilingCount;
    }
}
