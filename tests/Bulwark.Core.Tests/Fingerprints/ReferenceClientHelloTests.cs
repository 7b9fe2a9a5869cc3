using System.Text.Json;
using Bulwark.Core.Fingerprints;
using Bulwark.Core.Tests.Data;

namespace Bulwark.Core.Tests.Fingerprints;

/// <summary>
/// The 55 ClientHellos of ../shared/data/ja4/clienthellos.jsonl (first ClientHello of captures published by the JA4
/// authors) against FoxIO's JA4 outputs and tshark 4.0's JA3. All of them fit in one record ("complete": true); a line
/// marked incomplete would have to fail with the "incomplete ClientHello" error, which is checked too.
/// </summary>
public sealed class ReferenceClientHelloTests
{
    private const string Fixtures = "shared:ja4/clienthellos.jsonl";

    public static TheoryData<int, string> Lines()
    {
        var data = new TheoryData<int, string>();
        var path = DataFactAttribute.Resolve(Fixtures);
        if (!File.Exists(path))
        {
            return data;
        }

        var number = 0;
        foreach (var line in File.ReadLines(path))
        {
            number++;
            if (line.Length > 0)
            {
                using var doc = JsonDocument.Parse(line);
                var root = doc.RootElement;
                data.Add(number, $"{root.GetProperty("source").GetString()} stream {root.GetProperty("stream").GetInt32()}");
            }
        }

        return data;
    }

    [DataTheory(Fixtures)]
    [MemberData(nameof(Lines))]
    public void Fingerprints_equal_the_reference_outputs(int line, string capture)
    {
        var text = File.ReadLines(DataFactAttribute.Resolve(Fixtures)).ElementAt(line - 1);
        using var doc = JsonDocument.Parse(text);
        var expected = doc.RootElement;
        var bytes = Convert.FromHexString(expected.GetProperty("record_hex").GetString()!);

        var parsed = ClientHelloParser.TryParse(bytes, out var hello, out var error);

        if (!expected.GetProperty("complete").GetBoolean())
        {
            Assert.False(parsed, capture);
            Assert.StartsWith("incomplete ClientHello", error, StringComparison.Ordinal);
            return;
        }

        Assert.True(parsed, $"{capture}: {error}");
        Assert.NotNull(hello);
        Assert.Equal(expected.GetProperty("ja4").GetString(), Ja4Fingerprint.Compute(hello));
        Assert.Equal(expected.GetProperty("ja4_r").GetString(), Ja4Fingerprint.ComputeRaw(hello));
        Assert.Equal(expected.GetProperty("ja4_o").GetString(), Ja4Fingerprint.ComputeOriginal(hello));
        Assert.Equal(expected.GetProperty("ja3_full").GetString(), Ja3Fingerprint.ComputeText(hello));
        Assert.Equal(expected.GetProperty("ja3").GetString(), Ja3Fingerprint.Compute(hello));
        if (expected.TryGetProperty("sni", out var sni) && sni.ValueKind == JsonValueKind.String)
        {
            Assert.Equal(sni.GetString(), hello.ServerName);
        }
    }

    [DataFact(Fixtures)]
    public void The_fixture_file_holds_all_55_hellos()
    {
        Assert.Equal(55, Lines().Count());
    }
}
