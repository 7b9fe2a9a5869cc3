using Bulwark.Core.Fingerprints;

namespace Bulwark.Core.Tests.Fingerprints;

public sealed class Ja3FingerprintTests
{
    [Fact]
    public void The_readme_example_gives_its_published_hash()
    {
        // salesforce/ja3 README: 769,47-53-5-10-49161-49162-49171-49172-50-56-19-4,0-10-11,23-24-25,0 → ada70206e40642a3e4461f35503241d5
        var hello = new ClientHelloBuilder { LegacyVersion = 0x0301 }
            .WithCiphers(47, 53, 5, 10, 49161, 49162, 49171, 49172, 50, 56, 19, 4)
            .WithServerName("example.com").WithSupportedGroups(23, 24, 25).WithPointFormats(0)
            .Parse();

        Assert.Equal("769,47-53-5-10-49161-49162-49171-49172-50-56-19-4,0-10-11,23-24-25,0", Ja3Fingerprint.ComputeText(hello));
        Assert.Equal("ada70206e40642a3e4461f35503241d5", Ja3Fingerprint.Compute(hello));
    }

    [Fact]
    public void Grease_is_removed_and_the_order_kept()
    {
        var hello = new ClientHelloBuilder()
            .WithCiphers(0x4A4A, 0x1302, 0x1301)
            .WithExtension(0x8A8A).WithSupportedGroups(0xCACA, 29, 23).WithExtension(0x0017).WithPointFormats(0, 1, 2).WithExtension(0xFAFA, 0)
            .Parse();

        Assert.Equal("771,4866-4865,10-23-11,29-23,0-1-2", Ja3Fingerprint.ComputeText(hello));
    }

    [Fact]
    public void Missing_lists_leave_empty_fields()
    {
        var hello = new ClientHelloBuilder { LegacyVersion = 0x0300, WriteExtensionsBlock = false }.WithCiphers(0x000a).Parse();

        Assert.Equal("768,10,,,", Ja3Fingerprint.ComputeText(hello));
        Assert.Equal(32, Ja3Fingerprint.Compute(hello).Length);
    }

    [Fact]
    public void Long_hellos_use_pooled_buffers_and_give_the_same_text()
    {
        var ciphers = Enumerable.Range(1, 2000).Select(i => (ushort)(i * 7)).Where(v => !TlsGrease.IsGrease(v)).ToArray();
        var hello = new ClientHelloBuilder().WithCiphers(ciphers).Parse();

        Assert.Equal("771," + string.Join('-', ciphers) + ",,,", Ja3Fingerprint.ComputeText(hello));
        Assert.Equal(ciphers.Length, Ja4Fingerprint.ComputeRawOriginal(hello).Split('_')[1].Split(',').Length);
    }
}
