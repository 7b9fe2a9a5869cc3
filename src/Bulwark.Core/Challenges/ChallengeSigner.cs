using System.Buffers.Binary;
using System.Buffers.Text;
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

    private const byte ChallengeKind = (byte)'c';
    private const byte PassKind = (byte)'p';
    private const int MacBytes = 32;
    private const int MacChars = 43; // base64url of 32 bytes, unpadded

    [ThreadStatic]
    private static IncrementalHash? t_hmac;

    [ThreadStatic]
    private static byte[]? t_hmacKey;

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
        var head = string.Create(CultureInfo.InvariantCulture, $"{expires.ToUnixTimeSeconds()}.{difficulty}.{Base64Url.EncodeToString(salt)}");
        Span<byte> mac = stackalloc byte[MacBytes];
        Mac(ChallengeKind, head, binding, mac);
        return head + "." + Base64Url.EncodeToString(mac);
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

        var head = challenge.AsSpan(0, lastDot);
        var firstDot = head.IndexOf('.');
        var secondDot = firstDot < 0 ? -1 : head[(firstDot + 1)..].IndexOf('.');
        if (firstDot <= 0 || secondDot <= 0
            || !long.TryParse(head[..firstDot], NumberStyles.None, CultureInfo.InvariantCulture, out var expiry)
            || !int.TryParse(head.Slice(firstDot + 1, secondDot), NumberStyles.None, CultureInfo.InvariantCulture, out var difficulty)
            || !MacMatches(ChallengeKind, head, binding, challenge.AsSpan(lastDot + 1)))
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
        Span<byte> mac = stackalloc byte[MacBytes];
        Mac(PassKind, head, binding, mac);
        return head + "." + Base64Url.EncodeToString(mac);
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

        return MacMatches(PassKind, token.AsSpan(0, dot), binding, token.AsSpan(dot + 1));
    }

    private bool MacMatches(byte kind, ReadOnlySpan<char> head, in ChallengeBinding binding, ReadOnlySpan<char> presented)
    {
        Span<byte> given = stackalloc byte[MacBytes + 3];
        if (presented.Length != MacChars || !Base64Url.TryDecodeFromChars(presented, given, out var written) || written != MacBytes)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[MacBytes];
        Mac(kind, head, binding, expected);
        return CryptographicOperations.FixedTimeEquals(given[..MacBytes], expected);
    }

    // HMAC-SHA256 over a version and kind byte, the token's head, the IP group, the site and the User-Agent, separated by
    // newlines (none of them can hold one). One reusable HMAC per thread: no key setup per call.
    private void Mac(byte kind, ReadOnlySpan<char> head, in ChallengeBinding binding, Span<byte> destination)
    {
        var hmac = t_hmac;
        if (hmac is null || !ReferenceEquals(t_hmacKey, _key))
        {
            hmac?.Dispose();
            hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _key);
            t_hmac = hmac;
            t_hmacKey = _key;
        }

        // The message is gathered in one buffer so the HMAC is fed in one call (each call crosses into the crypto library).
        Span<byte> buffer = stackalloc byte[1024];
        "bwc1"u8.CopyTo(buffer);
        buffer[4] = kind;
        buffer[5] = (byte)'\n';
        var used = 6;
        Put(hmac, buffer, ref used, head);
        Put(hmac, buffer, ref used, binding.IpGroup);
        Put(hmac, buffer, ref used, binding.Site);
        Put(hmac, buffer, ref used, binding.UserAgent);
        hmac.AppendData(buffer[..used]);
        hmac.GetHashAndReset(destination);
    }

    // Appends text and a newline to the buffer, handing the buffer to the HMAC whenever it is full.
    private static void Put(IncrementalHash hmac, Span<byte> buffer, ref int used, ReadOnlySpan<char> text)
    {
        while (true)
        {
            var room = buffer.Length - used - 1; // one byte stays for the newline
            if (Encoding.UTF8.GetMaxByteCount(text.Length) <= room)
            {
                used += Encoding.UTF8.GetBytes(text, buffer[used..]);
                buffer[used++] = (byte)'\n';
                return;
            }

            var take = (room / 3) - 1; // GetMaxByteCount(n) is 3(n + 1)
            if (take > 0 && char.IsHighSurrogate(text[take - 1]))
            {
                take--;
            }

            if (take <= 0)
            {
                hmac.AppendData(buffer[..used]);
                used = 0;
                continue;
            }

            used += Encoding.UTF8.GetBytes(text[..take], buffer[used..]);
            text = text[take..];
        }
    }
}
