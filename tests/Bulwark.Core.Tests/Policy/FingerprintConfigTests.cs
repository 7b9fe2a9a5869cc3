using Bulwark.Core.Policy;

namespace Bulwark.Core.Tests.Policy;

/// <summary><c>Bulwark:Fingerprints</c>: read, defaults, and errors that name the key and say how to fix it.</summary>
public sealed class FingerprintConfigTests
{
    [Fact]
    public void Defaults_name_cloudflare_and_cloudfront_headers_and_deny_nothing()
    {
        var o = ConfigJson.AssertValid(BulwarkConfigLoader.LoadJson("""{ "Bulwark": {} }""")).Fingerprints;
        Assert.Equal(["cf-ja4", "CloudFront-Viewer-JA4-Fingerprint"], o.Ja4Headers);
        Assert.Equal(["cf-ja3-hash", "CloudFront-Viewer-JA3-Fingerprint"], o.Ja3Headers);
        Assert.Empty(o.Deny);
        Assert.Null(o.Catalogue);
        Assert.Null(o.CrawlerList);
    }

    [Fact]
    public void Every_key_is_read()
    {
        var o = ConfigJson.AssertValid(BulwarkConfigLoader.LoadJson("""
            { "Bulwark": { "Fingerprints": { "Ja4Headers": ["x-ja4"], "Ja3Headers": ["x-ja3"],
              "Deny": ["t13d3112h2_e8f1e7e78f70_b26ce05bbdd6", "0149f47eabf9a20d0893e2a44e5a6323"] } } }
            """)).Fingerprints;
        Assert.Equal(["x-ja4"], o.Ja4Headers);
        Assert.Equal(["x-ja3"], o.Ja3Headers);
        Assert.Equal(2, o.Deny.Count);
    }

    [Fact]
    public void Bad_values_and_unknown_keys_are_errors_with_their_path()
    {
        var result = BulwarkConfigLoader.LoadJson("""
            { "Bulwark": { "Fingerprints": { "Deny": ["chrome"], "Ja4Headers": ["bad header"], "Catalogue": "/nonexistent/catalogue.json", "Ja5": 1 } } }
            """);
        Assert.Null(result.Options);
        var paths = result.Errors.Select(e => e.Path).ToList();
        Assert.Contains("$.Bulwark.Fingerprints.Deny[0]", paths);
        Assert.Contains("$.Bulwark.Fingerprints.Ja4Headers[0]", paths);
        Assert.Contains("$.Bulwark.Fingerprints.Catalogue", paths);
        Assert.Contains("$.Bulwark.Fingerprints.Ja5", paths);
        Assert.Contains(result.Errors, e => e.Message.Contains("neither a JA4 nor a JA3", StringComparison.Ordinal));
    }
}
