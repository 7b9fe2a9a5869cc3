using System.Net;
using Bulwark.Core.Fingerprints;
using Bulwark.Core.Identity;
using Bulwark.Core.Pipeline;
using Bulwark.Core.Policy;
using static Bulwark.Core.Tests.Engine.EngineFixture;

namespace Bulwark.Core.Tests.Identity;

/// <summary>
/// When only the JA4 travelled (replay, a TLS terminator in front), its a-part still says the TLS version and whether the
/// hello offered ALPN: <c>browser_without_h2</c> and <c>browser_without_tls13</c> read them there.
/// </summary>
public sealed class BrowserJa4ShapeTests
{
    private const string Chrome131 = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
    private const string Chrome49 = "Mozilla/5.0 (Windows NT 6.1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/49.0.2623.112 Safari/537.36";

    private static string[] Signals(string userAgent, string ja4, bool? offeredH2 = null)
    {
        var options = Options("""{ "Routes": [ { "Path": "/**", "Policy": "p" } ], "Policies": { "p": { } } }""");
        var policy = CompiledConfiguration.Compile(options).Policies["p"];
        var context = new EvaluationContext(policy, null);
        var detector = new BrowserHeadersDetector(new ClientIdentity(new UserAgentParser(), FingerprintCatalogue.BuiltIn));
        detector.Detect(new RequestContext
        {
            Timestamp = T0,
            ClientIp = IPAddress.Parse("198.51.100.7"),
            Method = "GET",
            Path = "/",
            Headers = HeaderList.From(("sec-ch-ua", "\"Chromium\";v=\"131\""), ("user-agent", userAgent), ("sec-fetch-mode", "cors"), ("accept-encoding", "gzip"), ("accept-language", "en")),
            Tls = new TlsFingerprints(ja4, null) { OfferedH2 = offeredH2 },
        }, context);
        return context.Signals.Select(s => s.Signal).Order().ToArray();
    }

    [Fact]
    public void A_hello_without_alpn_under_a_current_browser_is_flagged_from_the_ja4()
    {
        Assert.Equal([BrowserHeadersDetector.NoH2Signal], Signals(Chrome131, "t13d151400_8daaf6152771_de4a06bb82e3"));
    }

    [Fact]
    public void Tls_1_2_under_a_browser_that_speaks_1_3_is_flagged_and_under_an_old_one_is_not()
    {
        Assert.Equal([BrowserHeadersDetector.NoTls13Signal], Signals(Chrome131, "t12d1909h2_d83cc789557e_7af1ed941c26"));
        Assert.DoesNotContain(BrowserHeadersDetector.NoTls13Signal, Signals(Chrome49, "t12d1909h2_d83cc789557e_7af1ed941c26"));
    }

    [Fact]
    public void Real_browser_shapes_are_not_flagged()
    {
        Assert.Empty(Signals(Chrome131, "t13d1516h2_8daaf6152771_e5627efa2ab1"));
        Assert.Empty(Signals(Chrome131, "t13d1517h1_8daaf6152771_6cdcb247c39b")); // Chrome's WebSocket connections offer http/1.1 alone
        Assert.Empty(Signals(Chrome131, "q13d0312h3_55b375c5d22e_06cda9e17597")); // QUIC
        Assert.Empty(Signals(Chrome131, "t13d151400_8daaf6152771_de4a06bb82e3", offeredH2: true)); // the hello itself was seen: it decides
    }
}
