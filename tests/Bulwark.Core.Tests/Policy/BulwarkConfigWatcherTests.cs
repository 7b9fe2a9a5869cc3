using Bulwark.Core.Policy;

namespace Bulwark.Core.Tests.Policy;

public sealed class BulwarkConfigWatcherTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30); // generous: CI machines are busy; success comes in well under a second
    private readonly string _directory = Directory.CreateTempSubdirectory("bulwark-watch-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static string WithMode(string mode) =>
        ConfigJson.Minimal.Replace("\"Bulwark\": {", $"\"Bulwark\": {{ \"Mode\": \"{mode}\",", StringComparison.Ordinal);

    [Fact]
    public async Task Reloads_a_changed_valid_file_and_rejects_an_invalid_one()
    {
        var path = Path.Combine(_directory, "bulwark.json");
        await File.WriteAllTextAsync(path, WithMode("enforce"));

        using var watcher = new BulwarkConfigWatcher(path, TimeProvider.System, includeEnvironment: false);
        var reloaded = new TaskCompletionSource<BulwarkOptions>(TaskCreationOptions.RunContinuationsAsynchronously);
        var rejected = new TaskCompletionSource<IReadOnlyList<ConfigError>>(TaskCreationOptions.RunContinuationsAsynchronously);
        watcher.Reloaded += o => reloaded.TrySetResult(o);
        watcher.Rejected += e => rejected.TrySetResult(e);
        watcher.Start();

        await File.WriteAllTextAsync(path, WithMode("monitor"));
        var options = await reloaded.Task.WaitAsync(Timeout);
        Assert.Equal("monitor", options.Mode);

        await File.WriteAllTextAsync(path, WithMode("loud"));
        var errors = await rejected.Task.WaitAsync(Timeout);
        var error = Assert.Single(errors);
        Assert.Equal("$.Bulwark.Mode", error.Path);
    }

    [Fact]
    public async Task Survives_an_atomic_replace()
    {
        var path = Path.Combine(_directory, "bulwark.json");
        await File.WriteAllTextAsync(path, WithMode("enforce"));

        using var watcher = new BulwarkConfigWatcher(path, TimeProvider.System, includeEnvironment: false);
        var reloaded = new TaskCompletionSource<BulwarkOptions>(TaskCreationOptions.RunContinuationsAsynchronously);
        var rejected = 0;
        watcher.Reloaded += o => reloaded.TrySetResult(o);
        watcher.Rejected += _ => Interlocked.Increment(ref rejected);
        watcher.Start();

        // What editors do: write a temporary file, remove the original, rename the temporary over it.
        var temporary = Path.Combine(_directory, "bulwark.json.tmp");
        await File.WriteAllTextAsync(temporary, WithMode("monitor"));
        File.Delete(path);
        await Task.Delay(50);
        File.Move(temporary, path);

        Assert.Equal("monitor", (await reloaded.Task.WaitAsync(Timeout)).Mode);
        Assert.Equal(0, Volatile.Read(ref rejected));
    }

    [Fact]
    public async Task A_throwing_handler_does_not_stop_the_watcher()
    {
        var path = Path.Combine(_directory, "bulwark.json");
        await File.WriteAllTextAsync(path, WithMode("enforce"));

        using var watcher = new BulwarkConfigWatcher(path, TimeProvider.System, includeEnvironment: false);
        var second = new TaskCompletionSource<BulwarkOptions>(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;
        watcher.Reloaded += o =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                throw new InvalidOperationException("handler bug");
            }

            second.TrySetResult(o);
        };
        watcher.Start();

        await File.WriteAllTextAsync(path, WithMode("monitor"));
        await WaitUntil(() => Volatile.Read(ref calls) >= 1);
        await File.WriteAllTextAsync(path, WithMode("enforce"));
        Assert.Equal("enforce", (await second.Task.WaitAsync(Timeout)).Mode);
    }

    [Fact]
    public void Dispose_before_and_after_start_is_safe()
    {
        var path = Path.Combine(_directory, "missing.json");
        var watcher = new BulwarkConfigWatcher(path, TimeProvider.System);
        watcher.Start();
        watcher.Dispose();
        watcher.Dispose();
        Assert.Throws<ObjectDisposedException>(watcher.Start);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = Environment.TickCount64 + (long)Timeout.TotalMilliseconds;
        while (!condition())
        {
            Assert.True(Environment.TickCount64 < deadline, "timed out");
            await Task.Delay(20);
        }
    }
}
