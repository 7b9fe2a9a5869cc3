using Bulwark.Core.Policy;

namespace Bulwark.Core.Tests.Challenges;

public sealed class ChallengeConfigTests
{
    private static ConfigLoadResult Load(string challenge) => BulwarkConfigLoader.LoadJson("{\"Bulwark\":{\"Challenge\":" + challenge.Replace('\'', '"') + "}}");

    [Fact]
    public void Every_key_is_read()
    {
        var loaded = Load("{ 'Enabled': false, 'Difficulty': 20, 'ChallengeSeconds': 120, 'PassMinutes': 60, 'Key': '0123456789abcdef0123456789abcdef', 'CookieName': 'shop_pass' }");
        Assert.True(loaded.Options is not null, string.Join("\n", loaded.Errors));
        var c = loaded.Options!.Challenge;
        Assert.False(c.Enabled);
        Assert.Equal(20, c.Difficulty);
        Assert.Equal(120, c.ChallengeSeconds);
        Assert.Equal(60, c.PassMinutes);
        Assert.Equal("0123456789abcdef0123456789abcdef", c.Key);
        Assert.Equal("shop_pass", c.CookieName);
    }

    [Fact]
    public void Defaults_without_the_section()
    {
        var c = BulwarkConfigLoader.LoadJson("{\"Bulwark\":{}}").Options!.Challenge;
        Assert.True(c.Enabled);
        Assert.Equal(16, c.Difficulty);
        Assert.Equal(30, c.PassMinutes);
        Assert.Null(c.Key);
        Assert.Equal("bulwark_pass", c.CookieName);
    }

    [Theory]
    [InlineData("{ 'Difficulty': 0 }", "$.Bulwark.Challenge.Difficulty")]
    [InlineData("{ 'Difficulty': 40 }", "$.Bulwark.Challenge.Difficulty")]
    [InlineData("{ 'PassMinutes': 0 }", "$.Bulwark.Challenge.PassMinutes")]
    [InlineData("{ 'ChallengeSeconds': 1 }", "$.Bulwark.Challenge.ChallengeSeconds")]
    [InlineData("{ 'Key': 'short' }", "$.Bulwark.Challenge.Key")]
    [InlineData("{ 'CookieName': 'a b' }", "$.Bulwark.Challenge.CookieName")]
    [InlineData("{ 'Dificulty': 3 }", "$.Bulwark.Challenge.Dificulty")]
    public void Bad_values_and_unknown_keys_name_their_path(string challenge, string path)
    {
        var loaded = Load(challenge);
        Assert.Null(loaded.Options);
        Assert.Contains(loaded.Errors, e => e.Path == path);
    }
}
