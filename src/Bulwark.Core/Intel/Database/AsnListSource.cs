using System.Globalization;

namespace Bulwark.Core.Intel.Database;

/// <summary>A list of autonomous systems, <c>AS&lt;number&gt; # name</c> per line: every range of those ASNs gets the kind.</summary>
internal sealed class AsnListSource(string path, NetworkKind kind, string name)
{
    public string Name => name;

    public string FilePath => path;

    public NetworkKind Kind => kind;

    public HashSet<uint> Read(IpIntelBuildReport report)
    {
        var asns = new HashSet<uint>();
        foreach ((string line, int number) in SourceFile.ReadLines(path))
        {
            ReadOnlySpan<char> text = SourceFile.Content(line);
            if (text.IsEmpty)
            {
                continue;
            }

            ReadOnlySpan<char> digits = text.StartsWith("AS", StringComparison.OrdinalIgnoreCase) ? text[2..] : text;
            if (!uint.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out uint asn) || asn == 0)
            {
                report.Add(IpIntelBuildIssueKind.Malformed, path, number, $"'{text}' is not an ASN; write AS64500 # name");
                continue;
            }

            if (!asns.Add(asn))
            {
                report.Add(IpIntelBuildIssueKind.Duplicate, path, number, $"AS{asn} listed again");
            }
        }

        return asns;
    }
}
