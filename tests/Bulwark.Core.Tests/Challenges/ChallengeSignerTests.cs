using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Bulwark.Core.Challenges;

namespace Bulwark.Core.Tests.Challenges;

public sealed class ChallengeSignerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 21, 10, 0, 0, TimeSpan.Zero);
    private static readonly ChallengeBinding Client = new("203.0.113.0/24", "Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0", "shop.example");
    private const string Key = "0123456789abcdef0123456789abcdef-test-key";

    /// <summary>The client's side: the first nonce whose SHA-256(challenge ‖ nonce) has enough leading zero bits.</summary>
    internal static string Solve(string challenge, int difficulty)
    {
        for (var nonce = 0L; ; nonce++)
        {
            var text = nonce.ToString(CultureInfo.InvariantCulture);
            var hash = SHA256.HashData(Encoding.UTF8.GetBytes(challenge + text));
            if (ChallengeSigner.LeadingZeroBits(hash) >= difficulty)
            {
                return text;
            }
        }
    }

    [Fact]
    public void A_pass_is_valid_for_its_binding_until_it_expires()
    {
        var signer = new ChallengeSigner(Key);
        var pass = signer.IssuePass(Client, T0.AddMinutes(30));
        Assert.True(signer.CheckPass(pass, Client, T0));
        Assert.True(signer.CheckPass(pass, Client, T0.AddMinutes(29)));
        Assert.False(signer.CheckPass(pass, Client, T0.AddMinutes(30)));
        Assert.False(signer.CheckPass(pass, Client, T0.AddHours(5)));
    }

    [Fact]
    public void A_pass_is_refused_for_another_ip_group_user_agent_or_site()
    {
        var signer = new ChallengeSigner(Key);
        var pass = signer.IssuePass(Client, T0.AddMinutes(30));
        Assert.False(signer.CheckPass(pass, Client with { IpGroup = "203.0.114.0/24" }, T0));
        Assert.False(signer.CheckPass(pass, Client with { UserAgent = "python-requests/2.32" }, T0));
        Assert.False(signer.CheckPass(pass, Client with { Site = "other.example" }, T0));
    }

    [Fact]
    public void Long_user_agents_are_signed_whole()
    {
        // Longer than the signer's buffer, with non-ASCII text across the chunk borders: a change at the very end counts.
        var signer = new ChallengeSigner(Key);
        var ua = string.Concat(Enumerable.Repeat("Mozilla/5.0 (ünïcödé 😀) ", 200));
        var pass = signer.IssuePass(Client with { UserAgent = ua }, T0.AddMinutes(30));
        Assert.True(signer.CheckPass(pass, Client with { UserAgent = ua }, T0));
        Assert.False(signer.CheckPass(pass, Client with { UserAgent = ua + "x" }, T0));
        Assert.False(signer.CheckPass(pass, Client with { UserAgent = ua[..^1] }, T0));
    }

    [Fact]
    public void A_tampered_or_foreign_pass_is_refused()
    {
        var signer = new ChallengeSigner(Key);
        var pass = signer.IssuePass(Client, T0.AddMinutes(30));
        var dot = pass.IndexOf('.', StringComparison.Ordinal);

        // A later expiry with the old MAC, a flipped MAC character, another key's pass, garbage.
        var extended = (T0.AddDays(30).ToUnixTimeSeconds()).ToString(CultureInfo.InvariantCulture) + pass[dot..];
        Assert.False(signer.CheckPass(extended, Client, T0));
        var flipped = pass[..^1] + (pass[^1] == 'A' ? 'B' : 'A');
        Assert.False(signer.CheckPass(flipped, Client, T0));
        Assert.False(new ChallengeSigner(Key + "-other").CheckPass(pass, Client, T0));
        Assert.False(new ChallengeSigner(null).CheckPass(pass, Client, T0));
        Assert.False(signer.CheckPass("", Client, T0));
        Assert.False(signer.CheckPass("nonsense", Client, T0));
        Assert.False(signer.CheckPass(null, Client, T0));
    }

    [Fact]
    public void Without_a_key_the_process_key_signs_and_a_second_signer_of_the_process_agrees()
    {
        var pass = new ChallengeSigner(null).IssuePass(Client, T0.AddMinutes(1));
        Assert.True(new ChallengeSigner("").CheckPass(pass, Client, T0));
    }

    [Fact]
    public void A_challenge_carries_its_difficulty_and_is_valid_only_for_its_binding_and_lifetime()
    {
        var signer = new ChallengeSigner(Key);
        var challenge = signer.IssueChallenge(Client, T0.AddMinutes(5), 12);
        Assert.Equal(12, signer.CheckChallenge(challenge, Client, T0));
        Assert.Null(signer.CheckChallenge(challenge, Client, T0.AddMinutes(5)));
        Assert.Null(signer.CheckChallenge(challenge, Client with { IpGroup = "198.51.100.0/24" }, T0));
        Assert.Null(signer.CheckChallenge(challenge, Client with { UserAgent = "curl/8" }, T0));

        // Lowering the difficulty in the text breaks the signature.
        var parts = challenge.Split('.');
        var easier = string.Join('.', parts[0], "1", parts[2], parts[3]);
        Assert.Null(signer.CheckChallenge(easier, Client, T0));

        // Two challenges for the same client differ (a random salt), so a solution of one does not solve the other.
        Assert.NotEqual(challenge, signer.IssueChallenge(Client, T0.AddMinutes(5), 12));
    }

    [Fact]
    public void A_solver_finds_a_nonce_the_checker_accepts_and_a_wrong_nonce_is_refused()
    {
        var signer = new ChallengeSigner(Key);
        var challenge = signer.IssueChallenge(Client, T0.AddMinutes(5), 14);
        var nonce = Solve(challenge, 14);
        Assert.True(ChallengeSigner.IsSolution(challenge, nonce, 14));

        // The nonce before the first solution is, by construction, not one; nor is an empty or over-long nonce.
        if (nonce != "0")
        {
            Assert.False(ChallengeSigner.IsSolution(challenge, (long.Parse(nonce, CultureInfo.InvariantCulture) - 1).ToString(CultureInfo.InvariantCulture), 14));
        }

        Assert.False(ChallengeSigner.IsSolution(challenge, "", 14));
        Assert.False(ChallengeSigner.IsSolution(challenge, new string('1', 40), 14));
        Assert.False(ChallengeSigner.IsSolution(challenge, nonce, 40));
    }

    [Theory]
    [InlineData(new byte[] { 0, 0, 0, 0, 0xFF }, 32)]
    [InlineData(new byte[] { 0x00, 0x01, 0, 0 }, 15)]
    [InlineData(new byte[] { 0x80, 0, 0, 0 }, 0)]
    [InlineData(new byte[] { 0, 0, 0, 0, 0, 0, 0, 0 }, 64)]
    public void Leading_zero_bits_are_counted_big_endian(byte[] hash, int expected) =>
        Assert.Equal(expected, ChallengeSigner.LeadingZeroBits(hash));
}
