namespace Bulwark.Core.Intel.Database;

/// <summary>
/// Turns overlapping input ranges of one address family into flat, non-overlapping ranges that cover the whole family,
/// each pointing at a merged record. A sweep over the sorted range starts: between two consecutive boundaries (a start, or
/// an end + 1) the set of covering ranges is constant, and the covering ranges are merged least specific first, then in
/// source order, so the most specific and then the latest source has the last word on each field. O(n log n) for the
/// sort plus O(n · d) for the sweep, where d is the nesting depth (a handful in real data).
/// </summary>
internal sealed class RangeFlattener(
    IReadOnlyList<IpInfo> facts,
    IReadOnlyList<string> sourceNames,
    IReadOnlyList<string?> sourceFiles,
    Dictionary<uint, (NetworkKind Kinds, ulong Mask)> asnKinds,
    Dictionary<IpInfo, int> records,
    List<IpInfo> recordList,
    IpIntelBuildReport report)
{
    /// <summary>A range as the builder holds it: 48 bytes (UInt128 aligns to 16).</summary>
    internal struct InputRange
    {
        public UInt128 First;
        public UInt128 Last;
        public int Facts;
        public int Order;
        public int Line;
        public byte Source;
    }

    private readonly List<int> _scratch = [];

    public (List<UInt128> Starts, List<int> Records) Flatten(InputRange[] ranges, int count, bool isV6)
    {
        Array.Sort(ranges, 0, count, Comparer<InputRange>.Create(static (a, b) =>
        {
            int c = a.First.CompareTo(b.First);
            if (c != 0)
            {
                return c;
            }

            c = (b.Last - b.First).CompareTo(a.Last - a.First);
            return c != 0 ? c : a.Order.CompareTo(b.Order);
        }));

        UInt128 familyMax = isV6 ? UInt128.MaxValue : uint.MaxValue;
        var starts = new List<UInt128>(count + 16);
        var recordIndexes = new List<int>(count + 16);
        var active = new List<int>();
        UInt128 cursor = UInt128.Zero;
        int next = 0;
        while (true)
        {
            int kept = 0;
            for (int k = 0; k < active.Count; k++)
            {
                if (ranges[active[k]].Last >= cursor)
                {
                    active[kept++] = active[k];
                }
            }

            active.RemoveRange(kept, active.Count - kept);
            while (next < count && ranges[next].First == cursor)
            {
                CheckWithinSource(ranges, next, active);
                active.Add(next++);
            }

            int record = Merge(ranges, active);
            if (recordIndexes.Count == 0 || recordIndexes[^1] != record)
            {
                starts.Add(cursor);
                recordIndexes.Add(record);
            }

            bool found = false;
            UInt128 boundary = UInt128.Zero;
            if (next < count)
            {
                boundary = ranges[next].First;
                found = true;
            }

            foreach (int a in active)
            {
                UInt128 last = ranges[a].Last;
                if (last < familyMax && (!found || last + 1 < boundary))
                {
                    boundary = last + 1;
                    found = true;
                }
            }

            if (!found)
            {
                break;
            }

            cursor = boundary;
        }

        return (starts, recordIndexes);
    }

    /// <summary>Reports a range that repeats or contradicts one of the same source it overlaps.</summary>
    private void CheckWithinSource(InputRange[] ranges, int index, List<int> active)
    {
        ref InputRange r = ref ranges[index];
        foreach (int a in active)
        {
            ref InputRange other = ref ranges[a];
            if (other.Source != r.Source)
            {
                continue;
            }

            string file = sourceFiles[r.Source] ?? sourceNames[r.Source];
            bool same = r.Facts == other.Facts;
            if (!same && !Disagree(facts[r.Facts], facts[other.Facts]))
            {
                continue; // complementary facts (an ASN row and a country row): nothing to report
            }

            string where = other.First == r.First && other.Last == r.Last ? "same range as" : r.Last <= other.Last ? "inside the range of" : "overlaps partly the range of";
            report.Add(same ? IpIntelBuildIssueKind.Duplicate : IpIntelBuildIssueKind.Conflict, file, r.Line,
                same ? $"{where} line {other.Line}" : $"{where} line {other.Line} with different data; the more specific, then the later, wins");
            return;
        }
    }

    private static bool Disagree(in IpInfo a, in IpInfo b) =>
        ((a.Asn != 0 || a.Organisation is not null) && (b.Asn != 0 || b.Organisation is not null) && (a.Asn != b.Asn || a.Organisation != b.Organisation))
        || (a.Country is not null && b.Country is not null && a.Country != b.Country)
        || (a.HasLocation && b.HasLocation && (a.Latitude != b.Latitude || a.Longitude != b.Longitude));

    private int Merge(InputRange[] ranges, List<int> active)
    {
        if (active.Count == 0)
        {
            return 0;
        }

        // Least specific first, then source (and line) order: later entries overwrite earlier ones field by field.
        _scratch.Clear();
        _scratch.AddRange(active);
        for (int i = 1; i < _scratch.Count; i++)
        {
            int item = _scratch[i];
            int j = i - 1;
            while (j >= 0 && MergesAfter(ranges[_scratch[j]], ranges[item]))
            {
                _scratch[j + 1] = _scratch[j];
                j--;
            }

            _scratch[j + 1] = item;
        }

        uint asn = 0;
        string? organisation = null;
        string? country = null;
        bool hasLocation = false;
        double latitude = 0, longitude = 0;
        int accuracy = 0;
        NetworkKind kinds = NetworkKind.None;
        ulong mask = 0;
        foreach (int index in _scratch)
        {
            ref InputRange r = ref ranges[index];
            IpInfo f = facts[r.Facts];
            if (f.Asn != 0 || f.Organisation is not null)
            {
                asn = f.Asn;
                organisation = f.Organisation;
            }

            if (f.Country is not null)
            {
                country = f.Country;
            }

            if (f.HasLocation)
            {
                hasLocation = true;
                latitude = f.Latitude;
                longitude = f.Longitude;
                accuracy = f.AccuracyRadiusKm;
            }

            kinds |= f.Kinds;
            mask |= 1UL << r.Source;
        }

        if (asn != 0 && asnKinds.TryGetValue(asn, out (NetworkKind Kinds, ulong Mask) byAsn))
        {
            kinds |= byAsn.Kinds;
            mask |= byAsn.Mask;
        }

        var merged = new IpInfo
        {
            Asn = asn,
            Organisation = organisation,
            Country = country,
            HasLocation = hasLocation,
            Latitude = latitude,
            Longitude = longitude,
            AccuracyRadiusKm = accuracy,
            Kinds = kinds,
            SourceMask = mask,
        };
        if (!records.TryGetValue(merged, out int record))
        {
            record = recordList.Count;
            records[merged] = record;
            recordList.Add(merged);
        }

        return record;
    }

    private static bool MergesAfter(in InputRange a, in InputRange b)
    {
        UInt128 sizeA = a.Last - a.First, sizeB = b.Last - b.First;
        return sizeA != sizeB ? sizeA < sizeB : a.Order > b.Order;
    }
}
