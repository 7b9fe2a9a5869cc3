using System.Net;

namespace Bulwark.Core.Intel;

/// <summary>
/// The IP intelligence the gateway asks: holds the current <see cref="IpIntelDatabase"/> and swaps in a changed file
/// atomically. A file that fails to load (corrupt, truncated, half-written) is reported through
/// <see cref="ReloadFailed"/> and the previous database stays; the next change is tried again.
/// </summary>
/// <remarks>
/// Changes are noticed by a <see cref="FileSystemWatcher"/> on the file's folder and, because watchers miss events on
/// some file systems, by polling the file's size and write time every <c>pollInterval</c> on the injected
/// <see cref="TimeProvider"/>. Lookups read one volatile field and never wait for a reload.
/// </remarks>
public sealed class IpIntelProvider : IIpIntelLookup, IDisposable
{
    /// <summary>How often the file is polled when no interval is given.</summary>
    public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromSeconds(30);

    private readonly string _path;
    private readonly Lock _reloadLock = new();
    private readonly ITimer? _timer;
    private readonly FileSystemWatcher? _watcher;
    private IpIntelDatabase _current = IpIntelDatabase.Empty;
    private (DateTime WriteTime, long Length) _seen;
    private bool _disposed;

    /// <summary>
    /// Loads <paramref name="path"/> now (on failure the provider starts empty and <see cref="LastError"/> says why) and
    /// watches it. <paramref name="pollInterval"/> <see cref="Timeout.InfiniteTimeSpan"/> turns polling off;
    /// <paramref name="watchFileSystem"/> false turns the watcher off (tests call <see cref="CheckForChanges"/>).
    /// </summary>
    public IpIntelProvider(string path, TimeProvider timeProvider, TimeSpan? pollInterval = null, bool watchFileSystem = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _path = Path.GetFullPath(path);
        CheckForChanges();

        TimeSpan interval = pollInterval ?? DefaultPollInterval;
        if (interval != Timeout.InfiniteTimeSpan)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero, nameof(pollInterval));
            _timer = timeProvider.CreateTimer(static state => ((IpIntelProvider)state!).CheckForChanges(), this, interval, interval);
        }

        string? folder = Path.GetDirectoryName(_path);
        if (watchFileSystem && folder is not null && Directory.Exists(folder))
        {
            _watcher = new FileSystemWatcher(folder, Path.GetFileName(_path))
            {
                NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.FileName | NotifyFilters.CreationTime,
            };
            _watcher.Changed += OnFileEvent;
            _watcher.Created += OnFileEvent;
            _watcher.Renamed += OnFileEvent;
            _watcher.EnableRaisingEvents = true;
        }
    }

    /// <summary>Raised after a changed file has been loaded and swapped in.</summary>
    public event EventHandler? Reloaded;

    /// <summary>Raised when a changed file could not be loaded; the previous database stays in use.</summary>
    public event EventHandler<IpIntelReloadFailedEventArgs>? ReloadFailed;

    /// <summary>The database lookups use now (<see cref="IpIntelDatabase.Empty"/> until a file has loaded).</summary>
    public IpIntelDatabase Current => Volatile.Read(ref _current);

    /// <summary>Whether a database file has been loaded.</summary>
    public bool IsLoaded => !ReferenceEquals(Current, IpIntelDatabase.Empty);

    /// <summary>Why the last load failed, or null when it succeeded.</summary>
    public IpIntelDatabaseException? LastError { get; private set; }

    /// <inheritdoc />
    public IReadOnlyList<string> Sources => Current.Sources;

    /// <inheritdoc />
    public IpInfo Lookup(IPAddress address) => Current.Lookup(address);

    /// <summary>
    /// Loads the file if its size or write time changed since the last attempt; true when a new database was swapped in.
    /// Called by the poll timer and the watcher; safe to call from anywhere.
    /// </summary>
    public bool CheckForChanges()
    {
        IpIntelDatabaseException? failure = null;
        lock (_reloadLock)
        {
            if (_disposed)
            {
                return false;
            }

            var info = new FileInfo(_path);
            (DateTime, long) stamp = info.Exists ? (info.LastWriteTimeUtc, info.Length) : default;
            if (!info.Exists || stamp == _seen)
            {
                return false;
            }

            _seen = stamp;
            try
            {
                Volatile.Write(ref _current, IpIntelDatabase.Load(_path));
                LastError = null;
            }
            catch (IpIntelDatabaseException e)
            {
                LastError = failure = e;
            }
        }

        // Handlers run outside the lock: they are the caller's code (logging).
        if (failure is not null)
        {
            ReloadFailed?.Invoke(this, new IpIntelReloadFailedEventArgs(failure));
            return false;
        }

        Reloaded?.Invoke(this, EventArgs.Empty);
        return true;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_reloadLock)
        {
            _disposed = true;
        }

        _timer?.Dispose();
        _watcher?.Dispose();
    }

    private void OnFileEvent(object sender, FileSystemEventArgs e) => CheckForChanges();
}
