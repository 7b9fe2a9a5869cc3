using Bulwark.Core.Behavior;
using Bulwark.Core.Lists;

namespace Bulwark.Core.Scoring;

/// <summary>
/// Repeat offenders get longer bans: the n-th ban of an IP group lasts <see cref="OffenderOptions.BanSeconds"/> × 2ⁿ⁻¹,
/// capped at <see cref="OffenderOptions.MaxBanSeconds"/>, remembered for <see cref="OffenderOptions.MemorySeconds"/> after
/// the last ban. Also counts score blocks per IP group, so that <see cref="OffenderOptions.BlocksBeforeBan"/> of them
/// within the window earn a ban. Bounded: one entry (about 70 bytes) per IP group, at most <c>MaxGroups</c>.
/// </summary>
public sealed class OffenderEscalation
{
    private readonly OffenderOptions _options;
    private readonly BoundedTable<OffenderState> _offenders;

    /// <summary>Creates the tracker; bans go to <paramref name="bans"/>.</summary>
    public OffenderEscalation(OffenderOptions options, int maxGroups, BanList bans)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        Bans = bans;
        _offenders = new BoundedTable<OffenderState>(maxGroups, TimeSpan.FromSeconds(Math.Max(options.MemorySeconds, options.WindowSeconds)));
    }

    /// <summary>Where bans go.</summary>
    public BanList Bans { get; }

    /// <summary>
    /// Bans <paramref name="ipGroup"/> (the text of an address or network) for its next, escalated length; returns the ban
    /// length, or null when the ban list is full. <paramref name="baseLength"/> overrides the first ban's length.
    /// </summary>
    public TimeSpan? Ban(ulong groupHash, string ipGroup, string reason, DateTimeOffset now, TimeSpan? baseLength = null)
    {
        int offences;
        using (var scope = _offenders.Enter(groupHash, now.UtcTicks))
        {
            offences = ++scope.Value.Bans;
            scope.Value.Blocks = 0;
        }

        var length = Length(offences, baseLength ?? TimeSpan.FromSeconds(_options.BanSeconds));
        return Bans.TryAdd(BanTarget.Ip, ipGroup, length, offences > 1 ? $"{reason} (offence {offences})" : reason, now, out _) ? length : null;
    }

    /// <summary>Counts a score block of <paramref name="groupHash"/>; true when it reaches the number that earns a ban.</summary>
    public bool RecordBlock(ulong groupHash, DateTimeOffset now)
    {
        if (_options.BlocksBeforeBan <= 0)
        {
            return false;
        }

        using var scope = _offenders.Enter(groupHash, now.UtcTicks);
        ref var state = ref scope.Value;
        var ticks = now.UtcTicks;
        if (state.WindowStart == 0 || ticks - state.WindowStart > TimeSpan.FromSeconds(_options.WindowSeconds).Ticks)
        {
            state.WindowStart = ticks;
            state.Blocks = 0;
        }

        return ++state.Blocks >= _options.BlocksBeforeBan;
    }

    /// <summary>How long the <paramref name="offence"/>-th ban lasts.</summary>
    public TimeSpan Length(int offence, TimeSpan first)
    {
        var seconds = first.TotalSeconds * Math.Pow(2, Math.Min(Math.Max(offence, 1) - 1, 30));
        return TimeSpan.FromSeconds(Math.Min(seconds, Math.Max(_options.MaxBanSeconds, first.TotalSeconds)));
    }

    internal struct OffenderState
    {
        public long WindowStart;
        public int Bans;
        public int Blocks;
    }
}
