using System.Net;
using Bulwark.Core.Intel;
using static Bulwark.Core.Tests.Intel.Database.IpIntelTestKit;

namespace Bulwark.Core.Tests.Intel.Database;

public sealed class DatabaseFileTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    private string BuildFile()
    {
        string csv = _dir.Write("asn.csv", "1.0.0.0,1.0.0.255,13335,\"Cloudflare, Inc.\"\n2606:4700::,2606:4700:ffff:ffff:ffff:ffff:ffff:ffff,13335,\"Cloudflare, Inc.\"\n");
        string tor = _dir.Write("tor-exits.txt", "1.0.0.7\n");
        string path = _dir.File_("good.db");
        new IpIntelDatabaseBuilder().AddRangeCsv(csv).AddCidrList(tor, NetworkKind.Tor).BuildToFile(path, BuildTime);
        return path;
    }

    [Fact]
    public void A_written_file_loads_with_its_build_time_sources_and_answers()
    {
        IpIntelDatabase db = IpIntelDatabase.Load(BuildFile());

        Assert.Equal(BuildTime, db.BuildTime);
        Assert.Equal(["bulwark:special-ranges", "asn.csv", "tor-exits.txt"], db.Sources);
        IpInfo tor = db.At("1.0.0.7");
        Assert.Equal(13335u, tor.Asn);
        Assert.Equal("Cloudflare, Inc.", tor.Organisation);
        Assert.Equal(NetworkKind.Tor, tor.Kinds);
        Assert.Equal(0b110ul, tor.SourceMask);
        Assert.Equal(13335u, db.At("2606:4700::1111").Asn);
        Assert.False(db.At("1.0.1.0").IsKnown);
    }

    [Fact]
    public void A_truncated_file_is_refused_naming_the_file()
    {
        string path = BuildFile();
        byte[] bytes = File.ReadAllBytes(path);
        foreach (int length in new[] { 0, 10, 64, bytes.Length - 1 })
        {
            File.WriteAllBytes(path, bytes[..length]);
            var error = Assert.Throws<IpIntelDatabaseException>(() => IpIntelDatabase.Load(path));
            Assert.Equal(path, error.FilePath);
            Assert.Contains("truncated", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_file_with_the_wrong_magic_is_refused()
    {
        string path = BuildFile();
        byte[] bytes = File.ReadAllBytes(path);
        bytes[0] = (byte)'X';
        File.WriteAllBytes(path, bytes);
        var error = Assert.Throws<IpIntelDatabaseException>(() => IpIntelDatabase.Load(path));
        Assert.Contains("wrong magic", error.Message, StringComparison.Ordinal);

        File.WriteAllText(path, "1.0.0.0,1.0.0.255,13335,Cloudflare\n".PadRight(100));
        Assert.Contains("wrong magic", Assert.Throws<IpIntelDatabaseException>(() => IpIntelDatabase.Load(path)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_of_another_format_version_is_refused()
    {
        string path = BuildFile();
        byte[] bytes = File.ReadAllBytes(path);
        bytes[8] = 99;
        File.WriteAllBytes(path, bytes);
        Assert.Contains("format version 99", Assert.Throws<IpIntelDatabaseException>(() => IpIntelDatabase.Load(path)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_flipped_byte_anywhere_in_the_payload_fails_the_checksum()
    {
        string path = BuildFile();
        byte[] original = File.ReadAllBytes(path);
        for (int offset = 64; offset < original.Length; offset += 7)
        {
            byte[] bytes = (byte[])original.Clone();
            bytes[offset] ^= 0x5A;
            var error = Assert.Throws<IpIntelDatabaseException>(() => IpIntelDatabase.Load(bytes, "corrupt.db"));
            Assert.Equal("corrupt.db", error.FilePath);
            Assert.Contains("checksum mismatch", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Extra_bytes_after_the_payload_are_refused()
    {
        byte[] bytes = [.. File.ReadAllBytes(BuildFile()), 0];
        Assert.Contains("unexpected bytes", Assert.Throws<IpIntelDatabaseException>(() => IpIntelDatabase.Load(bytes, "long.db")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_is_refused_naming_it()
    {
        string path = _dir.File_("absent.db");
        var error = Assert.Throws<IpIntelDatabaseException>(() => IpIntelDatabase.Load(path));
        Assert.Equal(path, error.FilePath);
        Assert.Contains("cannot read", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lookups_allocate_nothing()
    {
        IpIntelDatabase db = IpIntelDatabase.Load(BuildFile());
        IPAddress[] addresses = [IPAddress.Parse("1.0.0.7"), IPAddress.Parse("2606:4700::1"), IPAddress.Parse("::ffff:1.0.0.1"), IPAddress.Parse("fe80::1%4")];
        ulong sum = 0;
        foreach (IPAddress a in addresses)
        {
            sum += db.Lookup(a).Asn; // warm up
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++)
        {
            sum += db.Lookup(addresses[i & 3]).Asn;
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.NotEqual(0ul, sum);
    }
}
