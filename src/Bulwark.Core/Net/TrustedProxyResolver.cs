using System.Net;

namespace Bulwark.Core.Net;

/// <summary>
/// Finds the client address of a request that may have passed through reverse proxies, trusting forwarding headers only
/// as far as the chain of configured trusted proxies reaches.
/// </summary>
/// <remarks>
/// <para>The rules, in order:</para>
/// <list type="number">
/// <item>The peer (the socket address) is normalised: IPv4-mapped IPv6 becomes IPv4, an IPv6 scope id is dropped.</item>
/// <item>A peer that is not a trusted proxy is the client. Its forwarding headers are ignored: anyone can send them.</item>
/// <item>Otherwise the hops come from <c>Forwarded</c> (RFC 7239, the <c>for=</c> parameter of each element) when that
/// header has any content, else from <c>X-Forwarded-For</c>. Several instances of a header count as one list, joined in
/// the order they arrived.</item>
/// <item>The hops are walked right to left, from the hop nearest to us. A trusted proxy is skipped; the first hop that is
/// not trusted is the client. Hops further left were written by that client and are never read.</item>
/// <item>When every hop is trusted, the leftmost hop is the client (traffic from inside the proxy tier); with no hops,
/// the peer.</item>
/// <item>A hop that cannot be read — <c>unknown</c>, an obfuscated identifier (<c>_hidden</c>), a malformed address, a
/// <c>Forwarded</c> element without exactly one <c>for=</c>, an unbalanced quote — stops the walk, and the last trusted
/// address seen (the nearest proxy we trust) is the client. A value left of garbage could be anything the sender wanted.</item>
/// <item>Empty list elements (<c>a,,b</c>) are skipped, as HTTP list syntax allows.</item>
/// <item>Hops may carry ports (<c>203.0.113.7:5678</c>, <c>[2001:db8::1]:4711</c>, <c>"[2001:db8::1]:_port"</c>); ports
/// are dropped. IPv6 may be bracketed or bare (bare is common in <c>X-Forwarded-For</c>). IPv4 must be a dotted quad of
/// decimal octets; legacy forms such as <c>127.1</c> or <c>0x7f.0.0.1</c> are malformed.</item>
/// <item>Every address returned is normalised like the peer.</item>
/// </list>
/// <para>The walk parses spans in place and allocates only the <see cref="IPAddress"/> it returns (none when that is the peer itself, already normalised).</para>
/// </remarks>
public sealed class TrustedProxyResolver
{
    /// <summary>Creates a resolver that trusts the forwarding headers of <paramref name="trustedProxies"/>.</summary>
    public TrustedProxyResolver(IpNetworkSet trustedProxies)
    {
        ArgumentNullException.ThrowIfNull(trustedProxies);
        TrustedProxies = trustedProxies;
    }

    /// <summary>The proxies whose forwarding headers are believed.</summary>
    public IpNetworkSet TrustedProxies { get; }

    /// <summary>Whether <paramref name="address"/> (normalised) is a trusted proxy.</summary>
    public bool IsTrusted(IPAddress address) => TrustedProxies.Contains(address);

    /// <summary>The client address, from one instance of each forwarding header (either may be null). See the type's remarks for the rules.</summary>
    public IPAddress Resolve(IPAddress peer, string? xForwardedFor, string? forwarded)
    {
        ArgumentNullException.ThrowIfNull(peer);
        return ResolveCore(peer, new HeaderValues(xForwardedFor, null), new HeaderValues(forwarded, null));
    }

    /// <summary>
    /// The client address, from every instance of each forwarding header in arrival order (null lists and null entries
    /// are skipped). Pass <c>(string?)null</c> rather than a bare <c>null</c> to pick the single-value overload.
    /// </summary>
    public IPAddress Resolve(IPAddress peer, IReadOnlyList<string?>? xForwardedFor, IReadOnlyList<string?>? forwarded)
    {
        ArgumentNullException.ThrowIfNull(peer);
        return ResolveCore(peer, new HeaderValues(null, xForwardedFor), new HeaderValues(null, forwarded));
    }

    private IPAddress ResolveCore(IPAddress peer, HeaderValues xForwardedFor, HeaderValues forwarded)
    {
        IPAddress client = peer.Normalize();
        if (TrustedProxies.IsEmpty || !TrustedProxies.Contains(client))
        {
            return client;
        }

        bool useForwarded = forwarded.HasContent();
        HeaderValues values = useForwarded ? forwarded : xForwardedFor;

        // The nearest trusted address so far, the answer if the walk has to stop; kept as bits until it is returned.
        IPAddress? lastTrusted = client;
        UInt128 lastBits = default;
        bool lastIsV6 = false;
        for (int v = values.Count - 1; v >= 0; v--)
        {
            ReadOnlySpan<char> rest = values[v];
            while (true)
            {
                int cut = useForwarded ? LastListSeparator(rest) : rest.LastIndexOf(',');
                if (cut == UnbalancedQuote)
                {
                    return lastTrusted ?? IpAddressExtensions.ToAddress(lastBits, lastIsV6);
                }

                ReadOnlySpan<char> element = (cut < 0 ? rest : rest[(cut + 1)..]).Trim(" \t");
                if (!element.IsEmpty)
                {
                    bool readable = useForwarded
                        ? TryReadForwardedElement(element, out UInt128 bits, out bool isV6)
                        : TryReadNode(element, out bits, out isV6);
                    if (!readable)
                    {
                        return lastTrusted ?? IpAddressExtensions.ToAddress(lastBits, lastIsV6);
                    }

                    if (!TrustedProxies.Contains(bits, isV6))
                    {
                        return IpAddressExtensions.ToAddress(bits, isV6);
                    }

                    lastTrusted = null;
                    lastBits = bits;
                    lastIsV6 = isV6;
                }

                if (cut < 0)
                {
                    break;
                }

                rest = rest[..cut];
            }
        }

        return lastTrusted ?? IpAddressExtensions.ToAddress(lastBits, lastIsV6);
    }

    private const int UnbalancedQuote = int.MinValue;

    /// <summary>
    /// The index of the last comma outside quoted strings, -1 when there is none, or <see cref="UnbalancedQuote"/>. Scanning
    /// backwards keeps the trusted right-hand part readable whatever a client put on the left.
    /// </summary>
    private static int LastListSeparator(ReadOnlySpan<char> text)
    {
        bool quoted = false;
        for (int i = text.Length - 1; i >= 0; i--)
        {
            char c = text[i];
            if (c == '"' && !IsEscaped(text, i))
            {
                quoted = !quoted;
            }
            else if (c == ',' && !quoted)
            {
                return i;
            }
        }

        return quoted ? UnbalancedQuote : -1;
    }

    private static bool IsEscaped(ReadOnlySpan<char> text, int index)
    {
        int backslashes = 0;
        for (int i = index - 1; i >= 0 && text[i] == '\\'; i--)
        {
            backslashes++;
        }

        return (backslashes & 1) == 1;
    }

    /// <summary>Reads the <c>for=</c> node of one <c>Forwarded</c> element (<c>for=192.0.2.60;proto=http;by=203.0.113.43</c>).</summary>
    private static bool TryReadForwardedElement(ReadOnlySpan<char> element, out UInt128 bits, out bool isV6)
    {
        bits = default;
        isV6 = false;
        ReadOnlySpan<char> node = default;
        bool found = false;
        int start = 0;
        bool quoted = false;
        for (int i = 0; i <= element.Length; i++)
        {
            if (i < element.Length)
            {
                char c = element[i];
                if (quoted && c == '\\')
                {
                    i++;
                    continue;
                }

                if (c == '"')
                {
                    quoted = !quoted;
                }

                if (quoted || c != ';')
                {
                    continue;
                }
            }

            ReadOnlySpan<char> pair = element[start..i].Trim(" \t");
            start = i + 1;
            int equals = pair.IndexOf('=');
            if (equals <= 0)
            {
                if (pair.IsEmpty)
                {
                    continue;
                }

                return false;
            }

            if (!pair[..equals].TrimEnd(" \t").Equals("for", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (found)
            {
                return false;
            }

            found = true;
            node = pair[(equals + 1)..].TrimStart(" \t");
        }

        if (quoted || !found)
        {
            return false;
        }

        if (node.Length > 0 && node[0] == '"')
        {
            // A node never needs escapes; a quoted-pair here is not something a proxy of ours wrote.
            if (node.Length < 2 || node[^1] != '"' || node.Contains('\\'))
            {
                return false;
            }

            node = node[1..^1];
        }

        return TryReadNode(node, out bits, out isV6);
    }

    /// <summary>Reads an address with an optional port: <c>v4</c>, <c>v4:port</c>, <c>[v6]</c>, <c>[v6]:port</c> or bare <c>v6</c>.</summary>
    private static bool TryReadNode(ReadOnlySpan<char> node, out UInt128 bits, out bool isV6)
    {
        bits = default;
        isV6 = false;
        ReadOnlySpan<char> host;
        if (node.Length > 0 && node[0] == '[')
        {
            int close = node.IndexOf(']');
            if (close < 0)
            {
                return false;
            }

            host = node[1..close];
            ReadOnlySpan<char> after = node[(close + 1)..];
            if (!after.IsEmpty && (after[0] != ':' || !IsPort(after[1..])))
            {
                return false;
            }

            // Brackets hold IPv6 only.
            return host.Contains(':') && IpAddressExtensions.TryParseStrict(host, out bits, out isV6);
        }

        int colon = node.IndexOf(':');
        if (colon >= 0 && node.LastIndexOf(':') == colon)
        {
            // One colon: an IPv4 address (or unknown / obfuscated name) with a port.
            if (!IsPort(node[(colon + 1)..]))
            {
                return false;
            }

            host = node[..colon];
        }
        else
        {
            host = node;
        }

        // "unknown" and obfuscated identifiers ("_hidden") are not addresses: TryParseStrict refuses them.
        return IpAddressExtensions.TryParseStrict(host, out bits, out isV6);
    }

    /// <summary>A decimal port, or an RFC 7239 obfuscated port (<c>_abc</c>).</summary>
    private static bool IsPort(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return false;
        }

        if (text[0] == '_')
        {
            return text.Length > 1 && !text[1..].ContainsAnyExcept(ObfuscatedChars);
        }

        return text.Length <= 5 && !text.ContainsAnyExceptInRange('0', '9') && int.Parse(text) <= 65535;
    }

    private static readonly System.Buffers.SearchValues<char> ObfuscatedChars =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-");

    /// <summary>One header's values: a single string or a list of instances, without copying either.</summary>
    private readonly struct HeaderValues(string? single, IReadOnlyList<string?>? many)
    {
        public int Count => many?.Count ?? (single is null ? 0 : 1);

        public string? this[int index] => many is null ? single : many[index];

        public bool HasContent()
        {
            for (int i = 0; i < Count; i++)
            {
                if (!string.IsNullOrWhiteSpace(this[i]))
                {
                    return true;
                }
            }

            return false;
        }
    }
}
