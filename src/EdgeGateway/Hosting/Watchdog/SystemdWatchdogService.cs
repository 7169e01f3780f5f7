using System.Globalization;
using System.Net.Sockets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Hosting.Watchdog;

/// <summary>
/// Feeds the systemd watchdog (<c>WATCHDOG=1</c>) at half of <c>WatchdogSec</c>, but only while every
/// loop registered with the <see cref="ProgressMonitor"/> has made progress recently. When one hangs
/// the pings stop, the log and <c>systemctl status</c> name it, and systemd restarts the service.
/// .NET's hosting sends no watchdog pings by itself.
/// </summary>
public sealed class SystemdWatchdogService : BackgroundService
{
    private static readonly ServiceState WatchdogPing = new("WATCHDOG=1");

    private readonly ProgressMonitor _monitor;
    private readonly ISystemdNotifier _notifier;
    private readonly WatchdogSettings _settings;
    private readonly TimeProvider _time;
    private readonly ILogger<SystemdWatchdogService> _logger;
    private HashSet<string> _stalled = new(StringComparer.Ordinal);

    public SystemdWatchdogService(
        ProgressMonitor monitor,
        ISystemdNotifier notifier,
        WatchdogSettings settings,
        TimeProvider timeProvider,
        ILogger<SystemdWatchdogService> logger)
    {
        _monitor = monitor;
        _notifier = notifier;
        _settings = settings;
        _time = timeProvider;
        _logger = logger;
    }

    /// <summary>Raised after each check, once its notification (if any) has been sent.</summary>
    internal event Action<IReadOnlyList<LoopProgress>>? Checked;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_settings.Enabled || !_notifier.IsEnabled)
        {
            Log.WatchdogNotRequested(_logger);
            return;
        }

        Log.WatchdogStarted(_logger, _settings.Timeout!.Value, _settings.PingInterval);
        using var timer = new PeriodicTimer(_settings.PingInterval, _time);
        do
        {
            Check();
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    private void Check()
    {
        var stalled = _monitor.FindStalled();
        var names = stalled.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var loop in stalled.Where(s => !_stalled.Contains(s.Name)))
        {
            Log.LoopStalled(_logger, loop.Name, loop.Silence, loop.MaxSilence);
        }

        foreach (var name in _stalled.Where(n => !names.Contains(n)))
        {
            Log.LoopRecovered(_logger, name);
        }

        var changed = !names.SetEquals(_stalled);
        _stalled = names;
        if (changed)
        {
            Send(new ServiceState(stalled.Count == 0
                ? "STATUS=running"
                : "STATUS=watchdog withheld, no progress in: " + string.Join(", ", stalled.Select(Describe))));
        }

        if (stalled.Count == 0)
        {
            Send(WatchdogPing);
        }

        Checked?.Invoke(stalled);
    }

    private static string Describe(LoopProgress loop) =>
        string.Create(CultureInfo.InvariantCulture, $"{loop.Name} ({loop.Silence.TotalSeconds:0}s)");

    private void Send(ServiceState state)
    {
        try
        {
            _notifier.Notify(state);
        }
        catch (SocketException ex)
        {
            // systemd restarting or the socket gone: the next tick tries again.
            Log.NotifyFailed(_logger, ex);
        }
    }
}
