using Bulwark.Core.Net;

namespace Bulwark.Core.Intel.Database;

/// <summary>A list of networks (CIDR or bare addresses), one per line with <c>#</c> comments, all of one network kind.</summary>
internal sealed class CidrListSource(string path, NetworkKind kind, string name) : IIpRangeSource
{
    public string Name => name;

    public string? FilePath => path;

    public NetworkKind Kind => kind;

    public IEnumerable<IpIntelRange> ReadRanges(IpIntelBuildReport report)
    {
        var facts = new IpInfo { Kinds = kind };
        foreach ((string line, int number) in SourceFile.ReadLines(path))
        {
            ReadOnlySpan<char> text = SourceFile.Content(line);
            if (text.IsEmpty)
            {
                continue;
            }

            if (!IpNetworkSet.TryParseNetwork(text.ToString(), out UInt128 start, out int prefix, out bool isV6, out string? error))
            {
                report.Add(IpIntelBuildIssueKind.Malformed, path, number, error);
                continue;
            }

            yield return new IpIntelRange(start, IpAddressExtensions.NetworkEnd(start, prefix, isV6), isV6, facts, number);
        }
    }
}
