using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Bulwark.Core.Challenges;

/// <summary>
/// Signs and checks proof-of-work challenges and pass tokens with HMAC-SHA256. Both are stateless: a challenge carries its
/// expiry, difficulty and a random salt, signed together with the client binding, so nothing is stored per challenge.
/// A solved challenge can be replayed by the same binding until it expires; it then earns the same kind of pass again.
/// </summary>
public sealed class ChallengeSigner
{
    /// <summary>The process's random key, used when no key is configured.</summary>
    private static readonly byte[] ProcessKey = RandomNumberGenerator.GetBytes(32);

    private readonly byte[] _key;

    /// <summary>A signer with <paramref name="key"/> (UTF-8 text), or the process's random key when null or empty.</summary>
    public ChallengeSigner(string? key)
    {
        _key = string.IsNullOrEmpty(key) ? ProcessKey : Encoding.UTF8.GetBytes(key);
    }

    /// <summary>The largest nonce text a solution may carry (decimal digits or other printable ASCII).</summary>
    public const int MaxNonceLength = 32;

    /// <summary>Makes a challenge string: <c>expiry.difficulty.salt.mac</c> (expiry in Unix seconds, salt and mac base64url).</summary>
    public string IssueChallenge(in ChallengeBinding binding, DateTimeOffset expires, int difficulty)
    {
        Span<byte> salt = stackalloc byte[12];
        RandomNumberGenerator.Fill(salt);
        var head = string.Create(CultureInfo.InvariantCulture, $"{expires.ToUnixTimeSeconds()}.{difficulty}.{Base64Url(salt)}");
        return head + "." + Mac("challenge", head, binding);
    }

    /// <summary>Checks a challenge's signature, binding and expiry and returns its difficulty; null when any fails.</summary>
    public int? CheckChallenge(string? challenge, in ChallengeBinding binding, DateTimeOffset now)
    {
        if (challenge is null || challenge.Length > 128)
        {
            return null;
        }

        var lastDot = challenge.LastIndexOf('.');
        if (lastDot <= 0)
        {
            return null;
        }

        var head = challenge[..lastDot];
        var parts = head.Split('.');
        if (parts.Length != 3
            || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var expiry)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var difficulty)
            || !FixedEquals(challenge.AsSpan(lastDot + 1), Mac("challenge", head, binding)))
        {
            return null;
        }

        return now.ToUnixTimeSeconds() < expiry ? difficulty : null;
    }

    /// <summary>True when SHA-256(challenge ‖ nonce), both as UTF-8, starts with at least <paramref name="difficulty"/> zero bits.</summary>
    public static bool IsSolution(string challenge, string? nonce, int difficulty)
    {
        ArgumentNullException.ThrowIfNull(challenge);
        if (string.IsNullOrEmpty(nonce) || nonce.Length > MaxNonceLength || challenge.Length > 128)
        {
            return false;
        }

        Span<byte> input = stackalloc byte[(128 + MaxNonceLength) * 3];
        var length = Encoding.UTF8.GetBytes(challenge, input);
        length += Encoding.UTF8.GetBytes(nonce, input[length..]);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(input[..length], hash);
        return LeadingZeroBits(hash) >= difficulty;
    }

    /// <summary>The number of leading zero bits of <paramref name="hash"/>.</summary>
    public static int LeadingZeroBits(ReadOnlySpan<byte> hash)
    {
        var bits = 0;
        for (var i = 0; i + 4 <= hash.Length; i += 4)
        {
            var word = BinaryPrimitives.ReadUInt32BigEndian(hash[i..]);
            if (word != 0)
            {
                return bits + System.Numerics.BitOperations.LeadingZeroCount(word);
            }

            bits += 32;
        }

        return bits;
    }

    /// <summary>Makes a pass token: <c>expiry.mac</c>.</summary>
    public string IssuePass(in ChallengeBinding binding, DateTimeOffset expires)
    {
        var head = expires.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return head + "." + Mac("pass", head, binding);
    }

    /// <summary>True when <paramref name="token"/> was issued for <paramref name="binding"/> with this key and has not expired.</summary>
    public bool CheckPass(string? token, in ChallengeBinding binding, DateTimeOffset now)
    {
        if (token is null || token.Length > 64)
        {
            return false;
        }

        var dot = token.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || !long.TryParse(token.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var expiry) || now.ToUnixTimeSeconds() >= expiry)
        {
            return false;
        }

        return FixedEquals(token.AsSpan(dot + 1), Mac("pass", token[..dot], binding));
    }

    // HMAC-SHA256 over kind, the token's head and the binding (the User-Agent hashed first so the input stays small).
    private string Mac(string kind, string head, in ChallengeBinding binding)
    {
        Span<byte> ua = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(binding.UserAgent), ua);
        var text = string.Concat("bulwark-challenge-v1\n", kind, "\n", head, "\n", binding.IpGroup, "\n", binding.Site, "\n", Convert.ToHexString(ua));
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(text), mac);
        return Base64Url(mac);
    }

    private static bool FixedEquals(ReadOnlySpan<char> presented, string expected) =>
        presented.Length == expected.Length
        && CryptographicOperations.FixedTimeEquals(MemoryMarshalBytes(presented), MemoryMarshalBytes(expected));

    private static ReadOnlySpan<byte> MemoryMarshalBytes(ReadOnlySpan<char> text) => System.Runtime.InteropServices.MemoryMarshal.AsBytes(text);

    private static string Base64Url(ReadOnlySpan<byte> bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
