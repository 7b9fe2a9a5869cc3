using Bulwark.Core.Decisions;

namespace Bulwark.AspNetCore.Tests;

/// <summary>The exact text of the IETF RateLimit fields (draft-ietf-httpapi-ratelimit-headers-11, RFC 8941 sf-strings).</summary>
public sealed class RateLimitHeadersTests
{
    [Fact]
    public void One_limit_gives_one_item_of_each_field()
    {
        LimitStatus[] limits = [Limit("login-ip", quota: 100, window: 3600, remaining: 0, reset: 1800)];
        Assert.Equal("\"login-ip\";q=100;w=3600", RateLimitHeaders.FormatPolicy(limits));
        Assert.Equal("\"login-ip\";r=0;t=1800", RateLimitHeaders.FormatLimit(limits));
    }

    [Fact]
    public void Several_limits_are_a_comma_separated_list_in_their_order()
    {
        LimitStatus[] limits = [Limit("login-ip", 10, 60, 9, 6), Limit("login-account", 100, 60, 99, 1)];
        Assert.Equal("\"login-ip\";q=10;w=60, \"login-account\";q=100;w=60", RateLimitHeaders.FormatPolicy(limits));
        Assert.Equal("\"login-ip\";r=9;t=6, \"login-account\";r=99;t=1", RateLimitHeaders.FormatLimit(limits));
    }

    [Fact]
    public void No_limit_gives_no_field()
    {
        Assert.Null(RateLimitHeaders.FormatPolicy([]));
        Assert.Null(RateLimitHeaders.FormatLimit([]));
    }

    [Fact]
    public void Quotes_and_backslashes_are_escaped_and_other_characters_replaced()
    {
        LimitStatus[] limits = [Limit("a\"b\\c\u00e9\td", 5, 1, 4, 1)];
        Assert.Equal("\"a\\\"b\\\\c__d\";q=5;w=1", RateLimitHeaders.FormatPolicy(limits));
        Assert.Equal("\"a\\\"b\\\\c__d\";r=4;t=1", RateLimitHeaders.FormatLimit(limits));
    }

    [Fact]
    public void Large_numbers_and_long_lists_are_written_whole()
    {
        var limits = Enumerable.Range(0, 20).Select(i => Limit($"limit-number-{i}", long.MaxValue, 86400, long.MaxValue - i, 86399)).ToArray();
        var expected = string.Join(", ", limits.Select(l => $"\"{l.Name}\";r={l.Remaining};t=86399"));
        Assert.True(expected.Length > 256); // past the stack buffer
        Assert.Equal(expected, RateLimitHeaders.FormatLimit(limits));
        Assert.Equal(string.Join(", ", limits.Select(l => $"\"{l.Name}\";q=9223372036854775807;w=86400")), RateLimitHeaders.FormatPolicy(limits));
    }

    [Fact]
    public void A_limit_whose_quota_changes_under_the_same_name_gets_the_new_policy_text()
    {
        var name = "reloaded-" + Guid.NewGuid().ToString("N");
        Assert.Equal($"\"{name}\";q=10;w=60", RateLimitHeaders.FormatPolicy([Limit(name, 10, 60, 9, 60)]));
        Assert.Equal($"\"{name}\";q=10;w=60", RateLimitHeaders.FormatPolicy([Limit(name, 10, 60, 8, 59)]));
        Assert.Equal($"\"{name}\";q=20;w=60", RateLimitHeaders.FormatPolicy([Limit(name, 20, 60, 19, 60)]));
        Assert.Equal($"\"{name}\";q=20;w=30", RateLimitHeaders.FormatPolicy([Limit(name, 20, 30, 19, 30)]));
        Assert.Equal($"\"{name}\";q=10;w=60", RateLimitHeaders.FormatPolicy([Limit(name, 10, 60, 9, 60)]));
    }

    private static LimitStatus Limit(string name, long quota, long window, long remaining, long reset) =>
        new(name, quota, window, remaining, reset, Allowed: true, RetryAfterSeconds: 0);
}
