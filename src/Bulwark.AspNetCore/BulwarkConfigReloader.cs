using Bulwark.Core;
using Bulwark.Core.Policy;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Bulwark.AspNetCore;

/// <summary>Watches the configuration file and swaps a valid new version into the engine; an invalid one is logged and ignored.</summary>
internal sealed partial class BulwarkConfigReloader(BulwarkSetup setup, BulwarkEngine engine, TimeProvider timeProvider, ILogger<BulwarkConfigReloader> logger)
    : IHostedService, IDisposable
{
    private BulwarkConfigWatcher? _watcher;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _watcher = new BulwarkConfigWatcher(setup.ConfigFile!, timeProvider);
        _watcher.Reloaded += options =>
        {
            try
            {
                engine.Reload(options);
                LogReloaded(logger, setup.ConfigFile!);
            }
            catch (Exception exception) when (exception is FormatException or ArgumentException)
            {
                LogRejected(logger, setup.ConfigFile!, exception.Message);
            }
        };
        _watcher.Rejected += errors => LogRejected(logger, setup.ConfigFile!, string.Join("; ", errors));
        _watcher.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _watcher?.Dispose();
        _watcher = null;
    }

    [LoggerMessage(EventId = 2101, Level = LogLevel.Information, Message = "Bulwark configuration reloaded from {Path}")]
    private static partial void LogReloaded(ILogger logger, string path);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Error, Message = "Bulwark configuration {Path} rejected; the previous one stays in force: {Errors}")]
    private static partial void LogRejected(ILogger logger, string path, string errors);
}
