using System.Security.Cryptography;
using System.Text;
using Bulwark.Core.Policy;
using Bulwark.Core.Privacy;

namespace Bulwark.Core.Tests.Privacy;

public class PseudonymizerTests
{
    [Fact]
    public void Is_deterministic_for_a_key_and_has_the_documented_shape()
    {
        var a = new Pseudonymizer("secret");
        var b = Pseudonymizer.Create(new PrivacyOptions { PseudonymKey = "secret" });

        string pseudonym = a.Pseudonymize("alice@example.com");

        Assert.Equal(pseudonym, b.Pseudonymize("alice@example.com"));
        Assert.Matches("^h:[0-9a-f]{16}$", pseudonym);
        Assert.Equal(Pseudonymizer.Length, pseudonym.Length);
    }

    [Fact]
    public void Is_the_truncated_hmac_sha256()
    {
        byte[] hash = HMACSHA256.HashData(Encoding.UTF8.GetBytes("secret"), Encoding.UTF8.GetBytes("alice@example.com"));

        Assert.Equal("h:" + Convert.ToHexStringLower(hash)[..16], new Pseudonymizer("secret").Pseudonymize("alice@example.com"));
    }

    [Fact]
    public void Depends_on_the_key_and_the_value()
    {
        var a = new Pseudonymizer("secret");

        Assert.NotEqual(a.Pseudonymize("alice"), new Pseudonymizer("other").Pseudonymize("alice"));
        Assert.NotEqual(a.Pseudonymize("alice"), a.Pseudonymize("Alice"));
        Assert.NotEqual(new Pseudonymizer(null).Pseudonymize("alice"), new Pseudonymizer(null).Pseudonymize("alice"));
    }

    [Theory]
    [InlineData("alice@example.com")]
    [InlineData("bob")]
    [InlineData("sk_live_51H8xYzQ")]
    [InlineData("0123456789abcdef0123456789abcdef")]
    public void Never_contains_the_input(string value)
    {
        foreach (string key in new[] { "secret", "other" })
        {
            string pseudonym = new Pseudonymizer(key).Pseudonymize(value);

            Assert.DoesNotContain(value, pseudonym, StringComparison.OrdinalIgnoreCase);
            Assert.Matches("^h:[0-9a-f]{16}$", pseudonym);
        }
    }

    [Fact]
    public void Long_and_non_ascii_values_work()
    {
        var p = new Pseudonymizer("secret");
        string longValue = new('é', 5000);
        Span<char> buffer = stackalloc char[Pseudonymizer.Length];

        Assert.True(p.TryPseudonymize(longValue, buffer, out int written));
        Assert.Equal(Pseudonymizer.Length, written);
        Assert.Equal(p.Pseudonymize(longValue), buffer.ToString());
        Assert.False(p.TryPseudonymize("x", buffer[..10], out _));
    }

    [Fact]
    public void Null_passes_through_and_an_empty_key_is_refused()
    {
        Assert.Null(new Pseudonymizer("secret").Pseudonymize(null));
        Assert.Throws<ArgumentException>(() => new Pseudonymizer(" "));
    }
}
