using Bulwark.Core.Intel;
using static Bulwark.Core.Tests.Intel.Database.IpIntelTestKit;

namespace Bulwark.Core.Tests.Intel.Database;

public sealed class IpIntelProviderTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    private void BuildInto(string path, uint asn)
    {
        string csv = _dir.Write($"asn-{asn}.csv", $"30.0.0.0,30.0.0.255,{asn},Org {asn}\n");
        new IpIntelDatabaseBuilder().AddRangeCsv(csv).BuildToFile(path, BuildTime);
    }

    private static void Touch(string path, int seconds) => File.SetLastWriteTimeUtc(path, new DateTime(2026, 1, 1, 0, 0, seconds, DateTimeKind.Utc));

    [Fact]
    public void A_changed_file_is_swapped_in_and_a_corrupt_one_keeps_the_old_database()
    {
        string path = _dir.File_("ipintel.db");
        BuildInto(path, 64500);
        using var provider = new IpIntelProvider(path, TimeProvider.System, Timeout.InfiniteTimeSpan, watchFileSystem: false);
        var failures = new List<IpIntelReloadFailedEventArgs>();
        int reloads = 0;
        provider.ReloadFailed += (_, e) => failures.Add(e);
        provider.Reloaded += (_, _) => reloads++;
        Assert.True(provider.IsLoaded);
        Assert.Equal(64500u, provider.Lookup(System.Net.IPAddress.Parse("30.0.0.1")).Asn);

        // Unchanged: nothing happens.
        Assert.False(provider.CheckForChanges());

        // A truncated copy (a half-written file, say) is refused; lookups go on from the old database.
        byte[] good = File.ReadAllBytes(path);
        File.WriteAllBytes(path, good[..(good.Length / 2)]);
        Touch(path, 1);
        Assert.False(provider.CheckForChanges());
        IpIntelReloadFailedEventArgs failure = Assert.Single(failures);
        Assert.Contains("truncated", failure.Error.Message, StringComparison.Ordinal);
        Assert.Equal(path, failure.Error.FilePath);
        Assert.Same(failure.Error, provider.LastError);
        Assert.Equal(64500u, provider.Lookup(System.Net.IPAddress.Parse("30.0.0.1")).Asn);

        // The same bad file is not reported again on every poll.
        Assert.False(provider.CheckForChanges());
        Assert.Single(failures);

        // A good new file replaces it.
        BuildInto(path, 64511);
        Touch(path, 2);
        Assert.True(provider.CheckForChanges());
        Assert.Equal(1, reloads);
        Assert.Null(provider.LastError);
        Assert.Equal(64511u, provider.Lookup(System.Net.IPAddress.Parse("30.0.0.1")).Asn);
    }

    [Fact]
    public void A_provider_whose_file_is_missing_starts_empty_and_loads_it_when_it_appears()
    {
        string path = _dir.File_("later.db");
        using var provider = new IpIntelProvider(path, TimeProvider.System, Timeout.InfiniteTimeSpan, watchFileSystem: false);
        Assert.False(provider.IsLoaded);
        Assert.False(provider.Lookup(System.Net.IPAddress.Parse("30.0.0.1")).IsKnown);

        BuildInto(path, 64500);
        Assert.True(provider.CheckForChanges());
        Assert.Equal(64500u, provider.Lookup(System.Net.IPAddress.Parse("30.0.0.1")).Asn);
    }

    [Fact]
    public async Task The_file_system_watcher_picks_up_an_atomic_replacement()
    {
        string path = _dir.File_("watched.db");
        BuildInto(path, 64500);
        using var provider = new IpIntelProvider(path, TimeProvider.System, TimeSpan.FromMilliseconds(200));
        var reloaded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        provider.Reloaded += (_, _) => reloaded.TrySetResult();

        BuildInto(path, 64512);
        Touch(path, 3);
        await reloaded.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(64512u, provider.Lookup(System.Net.IPAddress.Parse("30.0.0.1")).Asn);
    }
}
