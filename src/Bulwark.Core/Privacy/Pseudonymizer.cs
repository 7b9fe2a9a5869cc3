using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using Bulwark.Core.Policy;

namespace Bulwark.Core.Privacy;

/// <summary>
/// Pseudonymises accounts and API keys for records that leave the process: <c>h:</c> and the first 16 lower-case hex
/// digits of HMAC-SHA256(key, UTF-8 value). The same key gives the same pseudonym, so records stay joinable without
/// naming anyone. Thread-safe.
/// </summary>
public sealed class Pseudonymizer
{
    /// <summary>The length of every pseudonym: <c>h:</c> plus 16 hex digits.</summary>
    public const int Length = 18;

    private const int StackLimit = 256;
    private readonly byte[] _key;

    /// <summary>Creates a pseudonymiser keyed by the UTF-8 bytes of <paramref name="key"/>, or by 32 random bytes when it is null (pseudonyms then hold for this process only).</summary>
    /// <exception cref="ArgumentException"><paramref name="key"/> is empty or white space.</exception>
    public Pseudonymizer(string? key)
    {
        if (key is null)
        {
            _key = RandomNumberGenerator.GetBytes(32);
            return;
        }

        if (string.IsNullOrWhiteSpace(key))
        {
            throw new ArgumentException("The pseudonym key is empty; set a secret, or leave it out for a random per-process key.", nameof(key));
        }

        _key = Encoding.UTF8.GetBytes(key);
    }

    /// <summary>Creates the pseudonymiser <paramref name="options"/> describe (<see cref="PrivacyOptions.PseudonymKey"/>).</summary>
    public static Pseudonymizer Create(PrivacyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new Pseudonymizer(options.PseudonymKey);
    }

    /// <summary>The pseudonym of <paramref name="value"/> (<c>h:3f2a…</c>), or null for null.</summary>
    [return: NotNullIfNotNull(nameof(value))]
    public string? Pseudonymize(string? value)
    {
        if (value is null)
        {
            return null;
        }

        Span<char> buffer = stackalloc char[Length];
        TryPseudonymize(value, buffer, out _);
        return new string(buffer);
    }

    /// <summary>Writes the pseudonym of <paramref name="value"/> without allocating; false when <paramref name="destination"/> is shorter than <see cref="Length"/>.</summary>
    public bool TryPseudonymize(ReadOnlySpan<char> value, Span<char> destination, out int charsWritten)
    {
        charsWritten = 0;
        if (destination.Length < Length)
        {
            return false;
        }

        int byteCount = Encoding.UTF8.GetMaxByteCount(value.Length);
        byte[]? rented = null;
        Span<byte> utf8 = byteCount <= StackLimit ? stackalloc byte[StackLimit] : (rented = ArrayPool<byte>.Shared.Rent(byteCount));
        try
        {
            int length = Encoding.UTF8.GetBytes(value, utf8);
            Span<byte> hash = stackalloc byte[HMACSHA256.HashSizeInBytes];
            HMACSHA256.HashData(_key, utf8[..length], hash);
            destination[0] = 'h';
            destination[1] = ':';
            Convert.TryToHexStringLower(hash[..8], destination[2..], out _);
            charsWritten = Length;
            return true;
        }
        finally
        {
            if (rented is not null)
            {
                CryptographicOperations.ZeroMemory(rented);
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
