using System.Collections.Concurrent;
using Bulwark.Core;
using Bulwark.Core.Audit;
using Bulwark.Core.Decisions;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.AspNetCore.Tests.Identity;

/// <summary>Fingerprints from a CDN's headers count only when the socket peer is a trusted proxy.</summary>
public sealed class CdnFingerprintTests
{
    private const string Ja4 = "t13d1517h2_8daaf6152771_cb7bf5808d99";

    [Theory]
    [InlineData("10.1.2.3", "cf-ja4", "cf-ja3-hash", true)]
    [InlineData("10.1.2.3", "CloudFront-Viewer-JA4-Fingerprint", "CloudFront-Viewer-JA3-Fingerprint", true)]
    [InlineData("198.51.100.7", "cf-ja4", "cf-ja3-hash", false)]
    public async Task Cdn_headers_are_read_only_from_trusted_proxies(string peer, string ja4Header, string ja3Header, bool trusted)
    {
        var sink = new Sink();
        using var host = await TestApp.StartAsync(services: s => s.AddSingleton<IDecisionSink>(sink));
        var client = host.GetTestClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/items");
        request.Headers.Add("X-Test-Peer", peer);
        request.Headers.Add(ja4Header, Ja4);
        request.Headers.Add(ja3Header, "0149f47eabf9a20d0893e2a44e5a6323");
        using var response = await client.SendAsync(request);

        var tls = Assert.Single(sink.Requests).Tls;
        if (trusted)
        {
            Assert.Equal(new TlsFingerprints(Ja4, "0149f47eabf9a20d0893e2a44e5a6323"), tls);
        }
        else
        {
            Assert.Null(tls);
        }
    }

    private sealed class Sink : IDecisionSink
    {
        public ConcurrentQueue<RequestContext> Requests { get; } = new();

        public void Record(Decision decision, RequestContext request, long? line = null, string? label = null) => Requests.Enqueue(request);
    }
}
