using System.Runtime.InteropServices;
using System.Threading.Channels;
using EdgeGateway.Configuration;
using EdgeGateway.Core.Events;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Hosting.Reload;

/// <summary>
/// Re-reads station.yaml on SIGHUP (<c>systemctl reload edge-gateway</c>) and when the file is saved,
/// with the same loader and validator as <c>edgegw config validate</c>. A valid, changed file becomes
/// the current configuration (<c>config-applied</c>); an invalid one is refused, the last good one
/// stays in force, and a <c>config-rejected</c> event and <c>edgegw status</c> carry every problem.
/// Nothing here touches alarm state or history.
/// </summary>
public sealed class ConfigReloadService : BackgroundService
{
    /// <summary>Editors save in several writes (truncate, write, rename): wait for the file to settle.</summary>
    public static readonly TimeSpan SettleTime = TimeSpan.FromMilliseconds(500);

    private readonly StationConfigMonitor _monitor;
    private readonly StationConfigFile _file;
    private readonly IStationEventSink _events;
    private readonly TimeProvider _time;
    private readonly ILogger<ConfigReloadService> _logger;
    private readonly IReadOnlyList<IConfigApplier> _appliers;
    private readonly Channel<string> _requests = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<string, IReadOnlyCollection<string>> _refused = new(StringComparer.Ordinal);
    private PosixSignalRegistration? _sighup;
    private FileSystemWatcher? _watcher;

    public ConfigReloadService(
        StationConfigMonitor monitor,
        StationConfigFile file,
        IStationEventSink events,
        TimeProvider timeProvider,
        ILogger<ConfigReloadService> logger,
        IEnumerable<IConfigApplier>? appliers = null)
    {
        _appliers = [.. appliers ?? []];
        _monitor = monitor;
        _file = file;
        _events = events;
        _time = timeProvider;
        _logger = logger;
    }

    /// <summary>Raised after each reload attempt has been decided (applied, refused or unchanged).</summary>
    internal event Action<ReloadOutcome>? Reloaded;

    /// <summary>Asks for a reload; <paramref name="trigger"/> names why (for the log and the event).</summary>
    public void RequestReload(string trigger) => _requests.Writer.TryWrite(trigger);

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsWindows())
        {
            _sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
            {
                // Not the default action (terminate): a reload.
                context.Cancel = true;
                RequestReload("SIGHUP");
            });
        }

        var full = Path.GetFullPath(_file.Path);
        var directory = Path.GetDirectoryName(full);
        if (directory is not null && Directory.Exists(directory))
        {
            try
            {
                _watcher = new FileSystemWatcher(directory, Path.GetFileName(full))
                {
                    NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size,
                };
                _watcher.Changed += (_, _) => RequestReload("file changed");
                _watcher.Created += (_, _) => RequestReload("file changed");
                _watcher.Renamed += (_, e) =>
                {
                    if (string.Equals(e.FullPath, full, StringComparison.Ordinal))
                    {
                        RequestReload("file changed");
                    }
                };
                _watcher.EnableRaisingEvents = true;
            }
            catch (IOException ex)
            {
                // Out of inotify watches, say: SIGHUP still works.
                Log.ConfigWatchFailed(_logger, full, ex);
            }
        }

        return base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _sighup?.Dispose();
        _watcher?.Dispose();
        _requests.Writer.TryComplete();
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    public override void Dispose()
    {
        _sighup?.Dispose();
        _watcher?.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reader = _requests.Reader;
        while (await reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
        {
            reader.TryRead(out var trigger);
            // Coalesce a burst of saves (and a SIGHUP sent right after saving) into one reload.
            await Task.Delay(SettleTime, _time, stoppingToken).ConfigureAwait(false);
            while (reader.TryRead(out _))
            {
            }

            var outcome = await ReloadAsync(trigger ?? "request", stoppingToken).ConfigureAwait(false);
            Reloaded?.Invoke(outcome);
        }
    }

    /// <summary>Loads, validates and applies or refuses the file now.</summary>
    internal async Task<ReloadOutcome> ReloadAsync(string trigger, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        byte[] bytes;
        try
        {
            // Bounded: an oversized file is refused by the loader, and only needs to hash differently.
            bytes = StationConfigLoader.ReadBounded(_file.Path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            bytes = [];
        }

        var hash = StationConfigMonitor.Hash(bytes);
        // The file in force, or the same refused file again (an editor's second write event): no news.
        var rejection = _monitor.LastRejection;
        if ((hash == _monitor.CurrentHash && rejection is null) || hash == rejection?.Hash)
        {
            Log.ConfigUnchanged(_logger, _file.Path, trigger);
            return ReloadOutcome.Unchanged;
        }

        var loaded = StationConfigLoader.Load(_file.Path);
        if (!loaded.IsValid)
        {
            var errors = loaded.ErrorLines();
            _monitor.Reject(new ConfigRejection(now, hash, errors));
            Log.ConfigRejected(_logger, _file.Path, trigger, loaded.ErrorCount, string.Join("; ", errors));
            _events.Publish(new StationEvent(
                StationEventTypes.ConfigRejected,
                now,
                _file.Path,
                $"{_file.Path}: {loaded.ErrorCount} problem(s); the previous configuration stays in force",
                new Dictionary<string, object?>
                {
                    ["hash"] = hash,
                    ["activeHash"] = _monitor.CurrentHash,
                    ["trigger"] = trigger,
                    ["errors"] = errors,
                }));
            return ReloadOutcome.Rejected;
        }

        var previousHash = _monitor.CurrentHash;
        var previous = _monitor.Current;
        var current = loaded.Config!;
        var changed = ConfigSections.Changed(previous, current);
        var live = _appliers.SelectMany(a => a.Sections).ToHashSet(StringComparer.Ordinal);
        // Against the configuration the service started with: a section changed by an earlier reload and
        // not applied live still waits for the restart, and one edited back needs none.
        var sinceStart = ConfigSections.Changed(_monitor.Started, current);
        var restartNeeded = sinceStart.Where(c => !live.Contains(c)).ToList();
        _monitor.Apply(current, hash, now, WithRefused(restartNeeded, sinceStart));

        var applied = new List<string>();
        var failed = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var applier in _appliers.Where(a => a.Sections.Any(changed.Contains)))
        {
            try
            {
                await applier.ApplyAsync(previous, current, cancellationToken).ConfigureAwait(false);
                applied.Add(applier.Name);
                _refused.Remove(applier.Name);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                failed[applier.Name] = ex.Message;
                _refused[applier.Name] = applier.Sections;
                Log.ConfigApplyFailed(_logger, ex, applier.Name, _file.Path);
            }
        }

        // A part that refused (or failed) keeps running on what it had: its sections wait for the restart;
        // one that has now applied a change it refused before no longer does.
        restartNeeded = WithRefused(restartNeeded, sinceStart);
        _monitor.SetRestartNeeded(restartNeeded);

        Log.ConfigApplied(_logger, _file.Path, trigger, hash, changed.Count == 0 ? "none" : string.Join(", ", changed));
        if (restartNeeded.Count > 0)
        {
            Log.ConfigRestartNeeded(_logger, string.Join(", ", restartNeeded));
        }

        var message = changed.Count == 0
            ? $"{_file.Path} applied (no setting changed)"
            : $"{_file.Path} applied: {string.Join(", ", changed)} changed"
              + (restartNeeded.Count > 0 ? $"; {string.Join(", ", restartNeeded)} take effect at the next restart" : "")
              + (failed.Count > 0 ? $"; not applied by {string.Join(", ", failed.Keys)}" : "");
        _events.Publish(new StationEvent(
            StationEventTypes.ConfigApplied,
            now,
            _file.Path,
            message,
            new Dictionary<string, object?>
            {
                ["hash"] = hash,
                ["previousHash"] = previousHash,
                ["trigger"] = trigger,
                ["changed"] = changed,
                ["appliedBy"] = applied,
                ["restartNeeded"] = restartNeeded,
                ["failed"] = failed,
            }));
        return ReloadOutcome.Applied;
    }

    /// <summary>Adds the sections of parts that refused a change and still differ from what the service started with.</summary>
    private List<string> WithRefused(List<string> restartNeeded, IReadOnlyList<string> sinceStart) =>
        [.. restartNeeded.Union(_refused.Values.SelectMany(s => s).Where(sinceStart.Contains), StringComparer.Ordinal)];
}

public enum ReloadOutcome
{
    Applied,
    Rejected,
    Unchanged,
}
