using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;

namespace Bulwark.Gateway.Forwarder;

/// <summary>
/// Sets <c>X-Forwarded-For</c>, <c>X-Forwarded-Proto</c>, <c>X-Forwarded-Host</c> and <c>Forwarded</c> (RFC 7239) on the
/// upstream request. What a trusted proxy in front of us already wrote is kept and appended to; from anyone else it is
/// replaced, so a client cannot forge the address the upstream sees.
/// </summary>
internal static class ForwardedHeaders
{
    public static void Apply(HttpRequestMessage message, HttpRequest request, IPAddress peer, bool peerTrusted)
    {
        var headers = request.Headers;
        if (peer.IsIPv4MappedToIPv6)
        {
            peer = peer.MapToIPv4();
        }

        var peerText = peer.ToString();
        var incomingFor = peerTrusted ? headers["X-Forwarded-For"].ToString() : "";
        message.Headers.TryAddWithoutValidation("X-Forwarded-For", incomingFor.Length == 0 ? peerText : incomingFor + ", " + peerText);

        var scheme = request.Scheme;
        var proto = peerTrusted && headers["X-Forwarded-Proto"].ToString() is { Length: > 0 } p ? p : scheme;
        message.Headers.TryAddWithoutValidation("X-Forwarded-Proto", proto);
        var requestHost = request.Host.Value;
        var host = peerTrusted && headers["X-Forwarded-Host"].ToString() is { Length: > 0 } h ? h : requestHost ?? "";
        if (host.Length > 0)
        {
            message.Headers.TryAddWithoutValidation("X-Forwarded-Host", host);
        }

        // RFC 7239 §6: an IPv6 node is bracketed and the whole value quoted. One string for the whole element.
        var v6 = peer.AddressFamily == AddressFamily.InterNetworkV6;
        var element = string.IsNullOrEmpty(requestHost)
            ? string.Concat([v6 ? "for=\"[" : "for=", peerText, v6 ? "]\";proto=" : ";proto=", scheme])
            : string.Concat([v6 ? "for=\"[" : "for=", peerText, v6 ? "]\";proto=" : ";proto=", scheme, ";host=\"", requestHost.Replace("\"", "", StringComparison.Ordinal), "\""]);

        var incoming = peerTrusted ? headers["Forwarded"].ToString() : "";
        message.Headers.TryAddWithoutValidation("Forwarded", incoming.Length == 0 ? element : incoming + ", " + element);
    }
}
