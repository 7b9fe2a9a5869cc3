using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Bulwark.Core.Limits;

/// <summary>
/// A parsed limit key such as <c>ip</c>, <c>subnet:16</c>, <c>header:X-Device-Id</c>, <c>body:phone</c> or <c>account+ip</c>.
/// </summary>
public sealed class LimitKeySpec
{
    private LimitKeySpec(KeyPart[] parts, string text)
    {
        PartArray = parts;
        Text = text;
        IsAddressOnly = Array.TrueForAll(parts, p => p.Kind is KeyPartKind.Ip or KeyPartKind.Subnet);
    }

    /// <summary>The parts, in the order written.</summary>
    public IReadOnlyList<KeyPart> Parts => PartArray;

    /// <summary>The parts as an array, for loops on the request path that must not box an enumerator.</summary>
    internal KeyPart[] PartArray { get; }

    /// <summary>Whether the key counts by client address alone (<c>ip</c>, <c>subnet</c>): such limits do not apply to
    /// mobile carrier networks, where thousands of users share one address behind carrier-grade NAT.</summary>
    public bool IsAddressOnly { get; }

    /// <summary>The key as written.</summary>
    public string Text { get; }

    /// <summary>Parses a key, or returns false with a message naming the bad part and the accepted forms.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out LimitKeySpec? spec, [NotNullWhen(false)] out string? error)
    {
        spec = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "a key is required: " + Forms;
            return false;
        }

        var pieces = text.Split('+', StringSplitOptions.TrimEntries);
        var parts = new KeyPart[pieces.Length];
        for (var i = 0; i < pieces.Length; i++)
        {
            if (!TryParsePart(pieces[i], out parts[i], out error))
            {
                return false;
            }

            for (var j = 0; j < i; j++)
            {
                if (parts[j] == parts[i])
                {
                    error = $"'{pieces[i]}' appears twice in key '{text}'";
                    return false;
                }
            }
        }

        spec = new LimitKeySpec(parts, text);
        error = null;
        return true;
    }

    private const string Forms =
        "use ip, subnet, subnet:N, asn, api_key, account, session, fingerprint, route, header:NAME, body:FIELD or global, joined with '+'";

    private static bool TryParsePart(string piece, out KeyPart part, [NotNullWhen(false)] out string? error)
    {
        part = default;
        error = null;
        var colon = piece.IndexOf(':', StringComparison.Ordinal);
        var name = (colon < 0 ? piece : piece[..colon]).ToLowerInvariant();
        var argument = colon < 0 ? null : piece[(colon + 1)..].Trim();
        switch (name)
        {
            case "ip" when argument is null:
                part = new KeyPart(KeyPartKind.Ip);
                return true;
            case "subnet":
                var prefix = 24;
                if (argument is not null && (!int.TryParse(argument.TrimStart('/'), NumberStyles.None, CultureInfo.InvariantCulture, out prefix) || prefix is < 1 or > 32))
                {
                    error = $"'{piece}': the subnet prefix must be an IPv4 prefix length from 1 to 32 (IPv6 subnets are /48)";
                    return false;
                }

                part = new KeyPart(KeyPartKind.Subnet, null, prefix);
                return true;
            case "asn" when argument is null:
                part = new KeyPart(KeyPartKind.Asn);
                return true;
            case "api_key" or "apikey" when argument is null:
                part = new KeyPart(KeyPartKind.ApiKey);
                return true;
            case "account" when argument is null:
                part = new KeyPart(KeyPartKind.Account);
                return true;
            case "session" when argument is null:
                part = new KeyPart(KeyPartKind.Session);
                return true;
            case "fingerprint" or "ja4" when argument is null:
                part = new KeyPart(KeyPartKind.Fingerprint);
                return true;
            case "route" when argument is null:
                part = new KeyPart(KeyPartKind.Route);
                return true;
            case "global" when argument is null:
                part = new KeyPart(KeyPartKind.Global);
                return true;
            case "header" when !string.IsNullOrEmpty(argument):
                part = new KeyPart(KeyPartKind.Header, argument.ToLowerInvariant());
                return true;
            case "body" when !string.IsNullOrEmpty(argument):
                part = new KeyPart(KeyPartKind.BodyField, argument);
                return true;
            case "header" or "body":
                error = $"'{piece}' needs a name after the colon, like '{name}:{(name == "header" ? "X-Device-Id" : "phone")}'";
                return false;
            default:
                error = $"'{piece}' is not a key part: {Forms}";
                return false;
        }
    }

    /// <inheritdoc />
    public override string ToString() => Text;
}
