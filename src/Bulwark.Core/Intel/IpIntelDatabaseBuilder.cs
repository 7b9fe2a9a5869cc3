using Bulwark.Core.Intel.Database;

namespace Bulwark.Core.Intel;

/// <summary>
/// Compiles IP intelligence sources (CIDR lists, range CSVs, ASN lists, any <see cref="IIpRangeSource"/>) into one
/// database file. Overlaps resolve by most specific range, then by source order: later sources refine earlier ones, field
/// by field, and network kinds add up. Bad lines are reported in the <see cref="IpIntelBuildReport"/> and skipped; only a
/// source that cannot be read at all fails the build (<see cref="IpIntelDatabaseException"/>).
/// </summary>
/// <remarks>
/// The database's first source is always the built-in special ranges (private, loopback, link-local, CGNAT, documentation,
/// reserved, multicast), so bogon tagging costs nothing at lookup. At most 64 sources (one bit each in the source mask).
/// Memory while building: about 48 bytes per input range plus the flat result.
/// </remarks>
public sealed class IpIntelDatabaseBuilder
{
    /// <summary>The most sources a database can name (bits of <see cref="IpInfo.SourceMask"/>).</summary>
    public const int MaxSources = 64;

    private readonly List<object> _sources = [new SpecialRanges()];

    /// <summary>The names of the sources added so far, in build order, the built-in special ranges first.</summary>
    public IReadOnlyList<string> SourceNames => _sources.Select(NameOf).ToList();

    /// <summary>Adds a list of networks (CIDR or bare addresses, <c>#</c> comments), each tagged <paramref name="kind"/>.</summary>
    public IpIntelDatabaseBuilder AddCidrList(string path, NetworkKind kind, string? name = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Add(new CidrListSource(path, kind, name ?? Path.GetFileName(path)));
    }

    /// <summary>Adds a MaxMind DB file (City, Country, ASN, Anonymous IP): every network with its record's facts.</summary>
    public IpIntelDatabaseBuilder AddMaxMindDb(string path, string? name = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Add(new MaxMindRangeSource(path, name ?? Path.GetFileName(path)));
    }

    /// <summary>Adds a CSV of <c>first,last,asn,organisation</c> or <c>first,last,country</c> rows.</summary>
    public IpIntelDatabaseBuilder AddRangeCsv(string path, string? name = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Add(new RangeCsvSource(path, name ?? Path.GetFileName(path)));
    }

    /// <summary>Adds a list of ASNs (<c>AS64500 # name</c>): every range whose merged ASN is listed gets <paramref name="kind"/>.</summary>
    public IpIntelDatabaseBuilder AddAsnList(string path, NetworkKind kind, string? name = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Add(new AsnListSource(path, kind, name ?? Path.GetFileName(path)));
    }

    /// <summary>Adds any range source (the seam for the MaxMind DB adapter).</summary>
    public IpIntelDatabaseBuilder AddSource(IIpRangeSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return Add(source);
    }

    /// <summary>Builds the database image; problems in the input go to <paramref name="report"/>.</summary>
    public byte[] Build(DateTimeOffset buildTime, IpIntelBuildReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var names = _sources.Select(NameOf).ToList();
        var files = _sources.Select(s => s switch
        {
            IIpRangeSource r => r.FilePath,
            AsnListSource a => a.FilePath,
            _ => null,
        }).ToList();

        var facts = new List<IpInfo> { default };
        var factIndex = new Dictionary<IpInfo, int> { [default] = 0 };
        var asnKinds = new Dictionary<uint, (NetworkKind Kinds, ulong Mask)>();
        var v4 = new Growable();
        var v6 = new Growable();
        int order = 0;
        for (int s = 0; s < _sources.Count; s++)
        {
            switch (_sources[s])
            {
                case AsnListSource asnList:
                {
                    HashSet<uint> asns = asnList.Read(report);
                    foreach (uint asn in asns)
                    {
                        asnKinds.TryGetValue(asn, out (NetworkKind Kinds, ulong Mask) existing);
                        asnKinds[asn] = (existing.Kinds | asnList.Kind, existing.Mask | (1UL << s));
                    }

                    report.AddSource(new IpIntelSourceSummary(asnList.Name, $"ASN list ({Describe(asnList.Kind)}) {asnList.FilePath}", asns.Count));
                    break;
                }

                case IIpRangeSource source:
                {
                    long read = 0;
                    foreach (IpIntelRange range in source.ReadRanges(report))
                    {
                        IpInfo f = range.Facts with { SourceMask = 0 };
                        if (!factIndex.TryGetValue(f, out int fi))
                        {
                            fi = facts.Count;
                            factIndex[f] = fi;
                            facts.Add(f);
                        }

                        var input = new RangeFlattener.InputRange
                        {
                            First = range.First,
                            Last = range.Last,
                            Facts = fi,
                            Order = order++,
                            Line = range.Line,
                            Source = (byte)s,
                        };
                        if (range.IsV6)
                        {
                            v6.Add(input);
                            report.InputRangesV6++;
                        }
                        else
                        {
                            v4.Add(input);
                            report.InputRangesV4++;
                        }

                        read++;
                    }

                    report.AddSource(new IpIntelSourceSummary(source.Name, Describe(source), read));
                    break;
                }
            }
        }

        var recordIndex = new Dictionary<IpInfo, int> { [default] = 0 };
        var records = new List<IpInfo> { default };
        var flattener = new RangeFlattener(facts, names, files, asnKinds, recordIndex, records, report);
        (List<UInt128> v4Starts, List<int> v4Records) = flattener.Flatten(v4.Items, v4.Count, isV6: false);
        v4.Release();
        (List<UInt128> v6Starts, List<int> v6Records) = flattener.Flatten(v6.Items, v6.Count, isV6: true);
        v6.Release();

        var strings = new List<string>();
        var stringIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        int Intern(string? s)
        {
            if (s is null)
            {
                return -1;
            }

            if (!stringIndex.TryGetValue(s, out int i))
            {
                i = strings.Count;
                stringIndex[s] = i;
                strings.Add(s);
            }

            return i;
        }

        var stored = records.Select(r => new StoredRecord(
            r.Asn, Intern(r.Organisation), Intern(r.Country),
            r.HasLocation ? (float)r.Latitude : float.NaN, r.HasLocation ? (float)r.Longitude : 0f,
            (ushort)Math.Clamp(r.AccuracyRadiusKm, 0, ushort.MaxValue), r.Kinds, r.SourceMask)).ToList();
        uint[] v4StartsU = new uint[v4Starts.Count];
        for (int i = 0; i < v4StartsU.Length; i++)
        {
            v4StartsU[i] = (uint)v4Starts[i];
        }

        byte[] image = IpIntelFileFormat.Write(buildTime, names, strings, stored, v4StartsU,
            System.Runtime.InteropServices.CollectionsMarshal.AsSpan(v4Records),
            System.Runtime.InteropServices.CollectionsMarshal.AsSpan(v6Starts),
            System.Runtime.InteropServices.CollectionsMarshal.AsSpan(v6Records));
        report.RangesV4 = v4Starts.Count;
        report.RangesV6 = v6Starts.Count;
        report.Records = records.Count;
        report.OutputBytes = image.Length;
        return image;
    }

    /// <summary>
    /// Builds the database into <paramref name="path"/>: written to a temporary file beside it, then renamed over it, so a
    /// reader never sees a half-written file.
    /// </summary>
    public IpIntelBuildReport BuildToFile(string path, DateTimeOffset buildTime)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var report = new IpIntelBuildReport();
        byte[] image = Build(buildTime, report);
        string full = Path.GetFullPath(path);
        string temp = full + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllBytes(temp, image);
            File.Move(temp, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temp);
            throw new IpIntelDatabaseException(path, "cannot write the database: " + e.Message, e);
        }

        return report;
    }

    private IpIntelDatabaseBuilder Add(object source)
    {
        if (_sources.Count >= MaxSources)
        {
            throw new InvalidOperationException($"A database holds at most {MaxSources} sources, the built-in special ranges included.");
        }

        _sources.Add(source);
        return this;
    }

    private static string NameOf(object source) => source switch
    {
        IIpRangeSource r => r.Name,
        AsnListSource a => a.Name,
        _ => "?",
    };

    private static string Describe(IIpRangeSource source) => source switch
    {
        CidrListSource c => $"CIDR list ({Describe(c.Kind)}) {c.FilePath}",
        RangeCsvSource r => $"range CSV {r.FilePath}",
        SpecialRanges => "built-in private, bogon and reserved ranges",
        _ => source.FilePath is null ? source.GetType().Name : $"{source.GetType().Name} {source.FilePath}",
    };

    private static string Describe(NetworkKind kind) => kind.ToString().ToLowerInvariant();

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>A growable array of input ranges that hands out its backing array for sorting in place.</summary>
    private sealed class Growable
    {
        public RangeFlattener.InputRange[] Items { get; private set; } = new RangeFlattener.InputRange[1024];

        public int Count { get; private set; }

        public void Add(in RangeFlattener.InputRange item)
        {
            if (Count == Items.Length)
            {
                var bigger = new RangeFlattener.InputRange[Items.Length * 2];
                Array.Copy(Items, bigger, Count);
                Items = bigger;
            }

            Items[Count++] = item;
        }

        public void Release()
        {
            Items = [];
            Count = 0;
        }
    }
}
