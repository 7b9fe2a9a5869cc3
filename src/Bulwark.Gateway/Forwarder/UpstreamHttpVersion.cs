using System.Net;
using Bulwark.Core.Policy;

namespace Bulwark.Gateway.Forwarder;

/// <summary>
/// The HTTP version a cluster speaks to its destinations (<c>Gateway:Clusters:NAME:HttpVersion</c>): HTTP/1.1 by default,
/// or HTTP/2 only — h2c with prior knowledge on <c>http://</c>, ALPN <c>h2</c> on <c>https://</c> — for gRPC and other
/// upstreams that need HTTP/2 end to end. Upgrades (WebSocket) always go over HTTP/1.1, the only version with <c>101</c>.
/// </summary>
internal static class UpstreamHttpVersion
{
    /// <summary>Sets the version of a message built for <paramref name="options"/>'s cluster (messages start as HTTP/1.1).</summary>
    public static void Apply(HttpRequestMessage message, GatewayClusterOptions options, bool upgrade)
    {
        if (!upgrade && options.HttpVersion == "2")
        {
            message.Version = HttpVersion.Version20;
            message.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
        }
    }
}
