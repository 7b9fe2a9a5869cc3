using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Bulwark.Core.Behavior;

/// <summary>One remembered request of an actor: when, which route (29-bit hash) and outcome (3 bits), which resource.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 4)]
internal struct HistoryEntry
{
    public const int OutcomePending = 0;
    public const int OutcomeSuccess = 1;
    public const int OutcomeNotFound = 2;
    public const int OutcomeAuthFailure = 3;
    public const int OutcomeClientError = 4;
    public const int OutcomeServerError = 5;
    public const int OutcomeAborted = 6;

    public long Ticks;
    public int RouteAndOutcome;
    public int Resource;

    public readonly int Route => RouteAndOutcome & 0x1FFF_FFFF;

    public readonly int Outcome => (int)((uint)RouteAndOutcome >> 29);

    public static int RouteBits(ulong routeHash) => (int)(routeHash & 0x1FFF_FFFF);

    public void SetOutcome(int outcome) => RouteAndOutcome = (RouteAndOutcome & 0x1FFF_FFFF) | (outcome << 29);

    public static int OutcomeOf(int status) => status switch
    {
        <= 0 => OutcomeAborted,
        404 => OutcomeNotFound,
        401 or 403 => OutcomeAuthFailure,
        >= 500 => OutcomeServerError,
        >= 400 => OutcomeClientError,
        _ => OutcomeSuccess,
    };
}

/// <summary>The last <see cref="ActorState.Size"/> requests of an actor, oldest overwritten first.</summary>
[InlineArray(ActorState.Size)]
internal struct HistoryRing
{
    private HistoryEntry _first;
}

/// <summary>
/// What is remembered of one actor: a ring of its last 8 requests (16 B each), a few counters and a 128-bit sketch of the
/// distinct resources it asked for in the current window — 168 bytes, plus the table's per-entry cost (see
/// <see cref="BoundedTable{T}"/>).
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 4)]
internal struct ActorState
{
    public const int Size = 8;

    public HistoryRing Ring;
    public byte Head;
    public byte Count;
    public byte NearLimitRun;
    public byte Reserved;
    public ushort Observed;
    public ushort NotFound;
    public int Walk;
    public ulong DistinctLow;
    public ulong DistinctHigh;
    public long DistinctWindow;

    /// <summary>Adds a resource to the window's distinct sketch and returns the linear-counting estimate.</summary>
    public int AddDistinct(ulong resource, long window)
    {
        if (window != DistinctWindow)
        {
            DistinctWindow = window;
            DistinctLow = DistinctHigh = 0;
        }

        var bit = (int)(resource % 128);
        if (bit < 64)
        {
            DistinctLow |= 1UL << bit;
        }
        else
        {
            DistinctHigh |= 1UL << (bit - 64);
        }

        var set = System.Numerics.BitOperations.PopCount(DistinctLow) + System.Numerics.BitOperations.PopCount(DistinctHigh);
        return set >= 128 ? 1_000 : (int)Math.Round(-128 * Math.Log((128.0 - set) / 128.0));
    }

    public void Append(in HistoryEntry entry)
    {
        Ring[Head] = entry;
        Head = (byte)((Head + 1) % Size);
        if (Count < Size)
        {
            Count++;
        }
    }

    /// <summary>Copies the ring oldest first into <paramref name="destination"/>; returns the count.</summary>
    public readonly int CopyTo(Span<HistoryEntry> destination)
    {
        var start = (Head - Count + Size) % Size;
        for (var i = 0; i < Count; i++)
        {
            destination[i] = Ring[(start + i) % Size];
        }

        return Count;
    }

    /// <summary>Sets the outcome of the newest pending entry at <paramref name="ticks"/>; false when there is none.</summary>
    public bool SetOutcome(long ticks, int outcome)
    {
        for (var i = 1; i <= Count; i++)
        {
            ref var entry = ref Ring[(Head - i + Size) % Size];
            if (entry.Ticks == ticks && entry.Outcome == HistoryEntry.OutcomePending)
            {
                entry.SetOutcome(outcome);
                return true;
            }
        }

        return false;
    }
}
