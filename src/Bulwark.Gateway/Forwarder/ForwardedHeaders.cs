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
        var incomingFor = peerTrusted ? headers["X-Forwarded-For"].ToString() : "";
        var peerText = peer.IsIPv4MappedToIPv6 ? peer.MapToIPv4().ToString() : peer.ToString();
        message.Headers.TryAddWithoutValidation("X-Forwarded-For", incomingFor.Length == 0 ? peerText : incomingFor + ", " + peerText);

        var proto = peerTrusted && headers["X-Forwarded-Proto"].ToString() is { Length: > 0 } p ? p : request.Scheme;
        message.Headers.TryAddWithoutValidation("X-Forwarded-Proto", proto);
        var host = peerTrusted && headers["X-Forwarded-Host"].ToString() is { Length: > 0 } h ? h : request.Host.Value ?? "";
        if (host.Length > 0)
        {
            message.Headers.TryAddWithoutValidation("X-Forwarded-Host", host);
        }

        var element = $"for={Node(peer)};proto={request.Scheme}";
        if (request.Host.HasValue)
        {
            element += $";host=\"{request.Host.Value!.Replace("\"", "", StringComparison.Ordinal)}\"";
        }

        var incoming = peerTrusted ? headers["Forwarded"].ToString() : "";
        message.Headers.TryAddWithoutValidation("Forwarded", incoming.Length == 0 ? element : incoming + ", " + element);
    }

    // RFC 7239 §6: an IPv6 node is bracketed and the whole value quoted.
    private static string Node(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        return address.AddressFamily == AddressFamily.InterNetworkV6 ? $"\"[{address}]\"" : address.ToString();
    }
}
