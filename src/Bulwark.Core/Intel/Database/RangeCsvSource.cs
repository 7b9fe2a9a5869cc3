using System.Globalization;
using Bulwark.Core.Net;

namespace Bulwark.Core.Intel.Database;

/// <summary>
/// A CSV of address ranges as in the @ip-location-db packages: <c>first,last,asn,organisation</c> or
/// <c>first,last,country</c>, told apart per row by the number of columns; fields may be quoted (<c>"Cloudflare, Inc."</c>).
/// </summary>
internal sealed class RangeCsvSource(string path, string name) : IIpRangeSource
{
    public string Name => name;

    public string? FilePath => path;

    public IEnumerable<IpIntelRange> ReadRanges(IpIntelBuildReport report)
    {
        var fields = new List<string>(4);
        var organisations = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach ((string line, int number) in SourceFile.ReadLines(path))
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            if (!TrySplit(line, fields))
            {
                report.Add(IpIntelBuildIssueKind.Malformed, path, number, "unterminated quoted field");
                continue;
            }

            if (fields.Count is not (3 or 4))
            {
                report.Add(IpIntelBuildIssueKind.Malformed, path, number, $"{fields.Count} columns; expected first,last,asn,organisation or first,last,country");
                continue;
            }

            if (!IpAddressExtensions.TryParseStrict(fields[0].AsSpan().Trim(), out UInt128 first, out bool firstV6)
                || !IpAddressExtensions.TryParseStrict(fields[1].AsSpan().Trim(), out UInt128 last, out bool lastV6))
            {
                report.Add(IpIntelBuildIssueKind.Malformed, path, number, $"'{fields[0]}' or '{fields[1]}' is not an IPv4 or IPv6 address");
                continue;
            }

            if (firstV6 != lastV6)
            {
                report.Add(IpIntelBuildIssueKind.Malformed, path, number, $"mixed address families: '{fields[0]}' and '{fields[1]}'");
                continue;
            }

            if (last < first)
            {
                report.Add(IpIntelBuildIssueKind.Malformed, path, number, $"reversed range: '{fields[1]}' is before '{fields[0]}'");
                continue;
            }

            IpInfo facts;
            if (fields.Count == 4)
            {
                if (!uint.TryParse(fields[2].AsSpan().Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out uint asn))
                {
                    report.Add(IpIntelBuildIssueKind.Malformed, path, number, $"ASN '{fields[2]}' is not a number");
                    continue;
                }

                string organisation = fields[3].Trim();
                if (!organisations.TryGetValue(organisation, out string? interned))
                {
                    organisations[organisation] = interned = organisation;
                }

                facts = new IpInfo { Asn = asn, Organisation = interned.Length == 0 ? null : interned };
            }
            else
            {
                ReadOnlySpan<char> country = fields[2].AsSpan().Trim();
                if (country.Length != 2 || !char.IsAsciiLetter(country[0]) || !char.IsAsciiLetter(country[1]))
                {
                    report.Add(IpIntelBuildIssueKind.Malformed, path, number, $"country '{fields[2]}' is not an ISO 3166-1 alpha-2 code");
                    continue;
                }

                facts = new IpInfo { Country = CountryCode(country) };
            }

            yield return new IpIntelRange(first, last, firstV6, facts, number);
        }
    }

    private static readonly Dictionary<int, string> Countries = [];

    private static string CountryCode(ReadOnlySpan<char> code)
    {
        int key = (char.ToUpperInvariant(code[0]) << 8) | char.ToUpperInvariant(code[1]);
        lock (Countries)
        {
            if (!Countries.TryGetValue(key, out string? s))
            {
                Countries[key] = s = new string([(char)(key >> 8), (char)(key & 0xFF)]);
            }

            return s;
        }
    }

    /// <summary>Splits a CSV line (RFC 4180 quoting, <c>""</c> inside quotes); false on an unterminated quote.</summary>
    internal static bool TrySplit(string line, List<string> fields)
    {
        fields.Clear();
        int i = 0;
        while (true)
        {
            if (i < line.Length && line[i] == '"')
            {
                var value = new System.Text.StringBuilder();
                i++;
                while (true)
                {
                    if (i >= line.Length)
                    {
                        return false;
                    }

                    if (line[i] == '"')
                    {
                        if (i + 1 < line.Length && line[i + 1] == '"')
                        {
                            value.Append('"');
                            i += 2;
                            continue;
                        }

                        i++;
                        break;
                    }

                    value.Append(line[i++]);
                }

                fields.Add(value.ToString());
                int comma = line.IndexOf(',', i);
                if (comma < 0)
                {
                    return true;
                }

                i = comma + 1;
            }
            else
            {
                int comma = line.IndexOf(',', i);
                if (comma < 0)
                {
                    fields.Add(line[i..]);
                    return true;
                }

                fields.Add(line[i..comma]);
                i = comma + 1;
            }
        }
    }
}
