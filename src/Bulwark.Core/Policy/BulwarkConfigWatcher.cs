namespace Bulwark.Core.Policy;

/// <summary>
/// Watches a configuration file and re-loads it when it changes: <see cref="Reloaded"/> for a valid file, <see cref="Rejected"/>
/// for an invalid one (the caller keeps its current options). Changes are seen through a <see cref="FileSystemWatcher"/> on
/// the file's directory and, as a fallback for file systems that do not report changes, by polling every 2 s.
/// </summary>
/// <remarks>
/// Events arrive ~250 ms after the last change (editors write in several steps), one at a time, on a timer thread. A file
/// that is briefly absent (an editor's atomic replace) is not an error: the watcher waits for it to come back. A file whose
/// content is unchanged is not re-loaded.
/// </remarks>
public sealed class BulwarkConfigWatcher : IDisposable
{
    private static readonly TimeSpan DebounceDelay = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(2);

    private readonly string _fileName;
    private readonly string _directory;
    private readonly TimeProvider _timeProvider;
    private readonly bool _includeEnvironment;
    private readonly Lock _gate = new();

    private FileSystemWatcher? _watcher;
    private ITimer? _debounce;
    private ITimer? _poll;
    private (DateTime LastWrite, long Length)? _lastSeen;
    private byte[]? _lastContent;
    private byte[]? _pendingInvalid;
    private bool _started;
    private bool _disposed;

    /// <summary>Prepares to watch <paramref name="path"/>; nothing happens until <see cref="Start"/>.</summary>
    /// <param name="path">The configuration file.</param>
    /// <param name="timeProvider">Clock for the debounce and polling timers.</param>
    /// <param name="includeEnvironment">Whether re-loads apply environment overrides, as <see cref="BulwarkConfigLoader.LoadFile(string, bool)"/>.</param>
    public BulwarkConfigWatcher(string path, TimeProvider timeProvider, bool includeEnvironment = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(timeProvider);
        Path = System.IO.Path.GetFullPath(path);
        _fileName = System.IO.Path.GetFileName(Path);
        _directory = System.IO.Path.GetDirectoryName(Path) ?? ".";
        _timeProvider = timeProvider;
        _includeEnvironment = includeEnvironment;
    }

    /// <summary>Raised with the new options after the file changed and is valid.</summary>
    public event Action<BulwarkOptions>? Reloaded;

    /// <summary>Raised with every error after the file changed and is invalid; keep using the previous options.</summary>
    public event Action<IReadOnlyList<ConfigError>>? Rejected;

    /// <summary>Full path of the watched file.</summary>
    public string Path { get; }

    /// <summary>Starts watching. The file's current content is the baseline: only later changes raise events.</summary>
    public void Start()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_started)
            {
                return;
            }

            _started = true;
            _lastContent = TryRead();
            _lastSeen = Snapshot();
            _debounce = _timeProvider.CreateTimer(static state => ((BulwarkConfigWatcher)state!).Reload(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _poll = _timeProvider.CreateTimer(static state => ((BulwarkConfigWatcher)state!).Poll(), this, PollInterval, PollInterval);
            try
            {
                var watcher = new FileSystemWatcher(_directory)
                {
                    IncludeSubdirectories = false,
                    NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
                };
                watcher.Changed += OnFileEvent;
                watcher.Created += OnFileEvent;
                watcher.Deleted += OnFileEvent;
                watcher.Renamed += OnFileEvent;
                watcher.Error += (_, _) => ScheduleReload();
                watcher.EnableRaisingEvents = true;
                _watcher = watcher;
            }
            catch (Exception e) when (e is IOException or ArgumentException or PlatformNotSupportedException or UnauthorizedAccessException)
            {
                // No change notifications here (missing directory, inotify limit, …): polling alone still sees changes.
                _watcher = null;
            }
        }
    }

    /// <summary>Stops watching; no event is raised after this returns.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _watcher?.Dispose();
            _debounce?.Dispose();
            _poll?.Dispose();
        }
    }

    private void OnFileEvent(object sender, FileSystemEventArgs e)
    {
        // Editors replace files by renaming a temporary file over them, so the target can be either name of a rename.
        if (IsTarget(e.Name) || (e is RenamedEventArgs renamed && IsTarget(renamed.OldName)))
        {
            ScheduleReload();
        }
    }

    private bool IsTarget(string? name) => string.Equals(name, _fileName, StringComparison.OrdinalIgnoreCase);

    private void ScheduleReload()
    {
        try
        {
            lock (_gate)
            {
                if (!_disposed)
                {
                    _debounce?.Change(DebounceDelay, Timeout.InfiniteTimeSpan);
                }
            }
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private void Poll()
    {
        try
        {
            var snapshot = Snapshot();
            bool changed;
            lock (_gate)
            {
                changed = snapshot != _lastSeen;
                _lastSeen = snapshot;
            }

            if (changed && snapshot is not null)
            {
                ScheduleReload();
            }
        }
        catch (Exception)
        {
            // A timer callback must not throw; the next poll tries again.
        }
    }

    private void Reload()
    {
        try
        {
            // Held while raising events so that handlers see changes in order and never after Dispose returns.
            lock (_gate)
            {
                if (_disposed)
                {
                    return;
                }

                byte[] content;
                try
                {
                    content = File.ReadAllBytes(Path);
                }
                catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
                {
                    // Mid-replace: the rename that brings the new file back raises an event, and polling sees it too.
                    return;
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Still being written (sharing violation): try again shortly.
                    _debounce?.Change(DebounceDelay, Timeout.InfiniteTimeSpan);
                    return;
                }

                _lastSeen = Snapshot();
                if (_lastContent is not null && content.AsSpan().SequenceEqual(_lastContent))
                {
                    return;
                }

                var result = BulwarkConfigLoader.LoadBytes(content, Path, _includeEnvironment, []);
                if (result.Options is { } options)
                {
                    _lastContent = content;
                    _pendingInvalid = null;
                    Raise(Reloaded, options);
                }
                else if (_pendingInvalid is not null && content.AsSpan().SequenceEqual(_pendingInvalid))
                {
                    _lastContent = content;
                    _pendingInvalid = null;
                    Raise(Rejected, result.Errors);
                }
                else
                {
                    // Invalid content may be a write caught halfway (editors and File.WriteAllText truncate first):
                    // reject it only if it reads the same once the file has settled.
                    _pendingInvalid = content;
                    _debounce?.Change(DebounceDelay, Timeout.InfiniteTimeSpan);
                }
            }
        }
        catch (Exception)
        {
            // A timer callback must not throw; the next change tries again.
        }
    }

    private static void Raise<T>(Action<T>? handlers, T argument)
    {
        if (handlers is null)
        {
            return;
        }

        foreach (var handler in handlers.GetInvocationList())
        {
            try
            {
                ((Action<T>)handler)(argument);
            }
            catch (Exception)
            {
                // One failing subscriber must neither stop the others nor kill the timer thread.
            }
        }
    }

    private byte[]? TryRead()
    {
        try
        {
            return File.ReadAllBytes(Path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private (DateTime LastWrite, long Length)? Snapshot()
    {
        var info = new FileInfo(Path);
        return info.Exists ? (info.LastWriteTimeUtc, info.Length) : null;
    }
}
