using System.Net;
using System.Text.Json;
using Bulwark.Core.Decisions;
using Bulwark.Core.Fingerprints;
using Bulwark.Core.Identity;
using Bulwark.Core.Pipeline;
using Bulwark.Core.Policy;
using Bulwark.Core.Tests.Data;
using static Bulwark.Core.Tests.Engine.EngineFixture;

namespace Bulwark.Core.Tests.Identity;

/// <summary>
/// <c>ua_tls_traits_mismatch</c>: an uncatalogued hello under a browser User-Agent, judged by what every hello of that
/// browser's TLS stack has (Chromium's cipher suites and GREASE), so that a library on another version than the one the
/// catalogue captured is still told from Chrome, and Chrome of another version is not.
/// </summary>
public sealed class UaTlsTraitsDetectorTests
{
    private const string Chrome120 = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";
    private const string Chrome90 = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/90.0.4430.212 Safari/537.36";
    private const string Samsung23 = "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36";
    private const string ChromeIos = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/120.0.6099.119 Mobile/15E148 Safari/604.1";
    private const string Yandex = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 YaBrowser/24.1.0.0 Safari/537.36";
    private const string Firefox121 = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0";

    // python3 urllib with a hand-made SSLContext (docs/fingerprints.md): a real library hello the catalogue does not hold.
    private const string PythonOwnContextJa4 = "t13d181100_85036bcba153_d41ae481755e";

    // Chrome as FoxIO's reference captures have it (another Chrome than the catalogue's Chromium 156: other extensions).
    private const string ReferenceChromeJa4 = "t13d1516h2_8daaf6152771_e5627efa2ab1";

    private static readonly ClientIdentity Identity = new(new UserAgentParser(), FingerprintCatalogue.BuiltIn);

    private static IReadOnlyList<DecisionReason> Detect(string userAgent, string? ja4, bool? grease = null)
    {
        var options = Options("""{ "Routes": [ { "Path": "/**", "Policy": "p" } ], "Policies": { "p": { } } }""");
        var context = new EvaluationContext(CompiledConfiguration.Compile(options).Policies["p"], null);
        new UaTlsTraitsDetector(Identity).Detect(new RequestContext
        {
            Timestamp = T0,
            ClientIp = IPAddress.Parse("198.51.100.7"),
            Method = "GET",
            Path = "/",
            Headers = HeaderList.From(("user-agent", userAgent)),
            Tls = ja4 is null ? null : new TlsFingerprints(ja4, null) { Grease = grease },
        }, context);
        return context.Signals.ToList();
    }

    [Fact]
    public void A_chrome_user_agent_on_an_uncatalogued_library_hello_is_named_by_its_cipher_suites_and_missing_grease()
    {
        Assert.Null(FingerprintCatalogue.BuiltIn.Lookup(PythonOwnContextJa4, null));
        var signal = Assert.Single(Detect(Chrome120, PythonOwnContextJa4, grease: false));
        Assert.Equal(UaTlsTraitsDetector.Signal, signal.Signal);
        Assert.Equal(UaTlsTraitsDetector.DefaultWeight, signal.Weight);
        Assert.Equal(
            $"User-Agent says chrome 120, but the TLS hello (JA4 {PythonOwnContextJa4}, not catalogued) is not Chromium's: cipher suites hash 85036bcba153 (Chromium's is 8daaf6152771) and no GREASE",
            signal.Detail);

        // Only the JA4 travelled (a CDN's header, replay): the cipher suites alone.
        Assert.EndsWith("cipher suites hash 85036bcba153 (Chromium's is 8daaf6152771)", Assert.Single(Detect(Chrome120, PythonOwnContextJa4)).Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Chromium_of_another_version_than_the_catalogued_one_raises_nothing()
    {
        Assert.Null(FingerprintCatalogue.BuiltIn.Lookup(ReferenceChromeJa4, null));
        Assert.Empty(Detect(Chrome120, ReferenceChromeJa4, grease: true));
        Assert.Empty(Detect(Chrome120, ReferenceChromeJa4));
        Assert.Empty(Detect(Samsung23, "t13d1517h2_8daaf6152771_b1ff8ab2d16f", grease: true));

        // Chromium's list with 3DES, as Chrome sent it until 92 (FoxIO's badcurveball capture): still Chromium's stack.
        Assert.Empty(Detect(Chrome120, "t13d1615h2_46e7e9700bed_45f260be83e2", grease: true));
    }

    [Fact]
    public void Chromium_cipher_suites_without_grease_are_a_program_that_copied_the_list()
    {
        var signal = Assert.Single(Detect(Chrome120, "t13d1511h1_8daaf6152771_3f3a1e5e2d41", grease: false));
        Assert.EndsWith("is not Chromium's: no GREASE values, which Chromium puts in every hello", signal.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Firefox_user_agent_on_chromium_cipher_suites_with_grease_is_another_engine()
    {
        var signal = Assert.Single(Detect(Firefox121, ReferenceChromeJa4, grease: true));
        Assert.Equal($"User-Agent says firefox 121 (gecko), but the TLS hello (JA4 {ReferenceChromeJa4}, not catalogued) has Chromium's cipher suites (8daaf6152771)", signal.Detail);
        Assert.Single(Detect(Firefox121, ReferenceChromeJa4)); // the JA4 alone
        Assert.Empty(Detect(Firefox121, ReferenceChromeJa4, grease: false)); // not BoringSSL either: nothing to say
        Assert.Empty(Detect(Firefox121, PythonOwnContextJa4, grease: false)); // no trait of Firefox's is judged
    }

    [Fact]
    public void Samsung_internet_is_judged_by_its_chrome_token()
    {
        Assert.StartsWith("User-Agent says samsung 115, but", Assert.Single(Detect(Samsung23, PythonOwnContextJa4, grease: false)).Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Catalogued_fingerprints_old_chromium_ios_other_brands_quic_and_tools_are_left_alone()
    {
        var curl = FingerprintCatalogue.BuiltIn.Entries.First(e => e.Family == "curl").Ja4;
        Assert.Empty(Detect(Chrome120, curl, grease: false)); // ua_tls_mismatch names it
        Assert.Empty(Detect(Chrome90, PythonOwnContextJa4, grease: false));
        Assert.Empty(Detect(ChromeIos, PythonOwnContextJa4, grease: false)); // Apple's TLS stack
        Assert.Empty(Detect(ChromeIos, ReferenceChromeJa4, grease: true)); // or Chrome's own (Cronet) for some requests
        Assert.Empty(Detect(Yandex, PythonOwnContextJa4, grease: false));
        Assert.Empty(Detect(Chrome120, "q13d0312h3_55b375c5d22e_06cda9e17597", grease: true));
        Assert.Empty(Detect(Chrome120, null));
        Assert.Empty(Detect(Chrome120, "garbage"));
        Assert.Empty(Detect("curl/8.5.0", PythonOwnContextJa4, grease: false));
    }

    [DataFact("shared:ja4/clienthellos.jsonl")]
    public void Every_reference_hello_with_chromium_cipher_suites_carries_grease_and_lists_the_fifteen_suites()
    {
        var chromium = 0;
        var withoutGrease = 0;
        foreach (var line in File.ReadLines(DataFactAttribute.Resolve("shared:ja4/clienthellos.jsonl")).Where(l => l.Length > 0))
        {
            using var doc = JsonDocument.Parse(line);
            var bytes = Convert.FromHexString(doc.RootElement.GetProperty("record_hex").GetString()!);
            Assert.True(TlsClientFingerprinter.TryCompute(bytes, out var fingerprint, out var error), error);
            Assert.True(ClientHelloParser.TryParse(bytes, out var hello, out _));
            Assert.Equal(fingerprint.Grease, TlsClientFingerprinter.FromHello(hello).Grease); // both paths agree
            withoutGrease += fingerprint.Grease ? 0 : 1;
            if (fingerprint.Ja4.Slice(11, 12).SequenceEqual(UaTlsTraitsDetector.ChromiumCipherHashWith3Des))
            {
                Assert.True(fingerprint.Grease);
                Assert.StartsWith("000a,002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9_", doc.RootElement.GetProperty("ja4_r").GetString()![11..], StringComparison.Ordinal);
            }

            if (fingerprint.Ja4.Slice(11, 12).SequenceEqual(UaTlsTraitsDetector.ChromiumCipherHash))
            {
                chromium++;
                Assert.True(fingerprint.Grease, doc.RootElement.GetProperty("source").GetString());
                Assert.StartsWith("002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9_", doc.RootElement.GetProperty("ja4_r").GetString()![11..], StringComparison.Ordinal);
            }
        }

        Assert.True(chromium >= 30, $"{chromium} Chromium hellos");
        Assert.True(withoutGrease >= 3, $"{withoutGrease} hellos without GREASE: the flag must not be always on");
    }
}
