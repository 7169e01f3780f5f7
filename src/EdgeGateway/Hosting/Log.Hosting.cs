using Microsoft.Extensions.Logging;

namespace EdgeGateway;

// Hosting: watchdog (EventIds 800-819), configuration reload (820-839), health (840-859), start-up trim (870-879).
internal static partial class Log
{
    [LoggerMessage(800, LogLevel.Information, "systemd watchdog not requested (no WATCHDOG_USEC for this process); loop progress is still tracked for status")]
    public static partial void WatchdogNotRequested(ILogger logger);

    [LoggerMessage(801, LogLevel.Information, "systemd watchdog: timeout {Timeout}, pinging every {Interval} while all loops make progress")]
    public static partial void WatchdogStarted(ILogger logger, TimeSpan timeout, TimeSpan interval);

    [LoggerMessage(802, LogLevel.Critical, "Loop {Loop} has made no progress for {Silence} (allowed {Allowed}); withholding watchdog pings so systemd restarts the service")]
    public static partial void LoopStalled(ILogger logger, string loop, TimeSpan silence, TimeSpan allowed);

    [LoggerMessage(803, LogLevel.Warning, "Loop {Loop} is making progress again; watchdog pings resume")]
    public static partial void LoopRecovered(ILogger logger, string loop);

    [LoggerMessage(804, LogLevel.Warning, "Could not notify systemd")]
    public static partial void NotifyFailed(ILogger logger, Exception exception);

    [LoggerMessage(820, LogLevel.Information, "Configuration {Path} applied ({Trigger}), hash {Hash}; changed: {Changed}")]
    public static partial void ConfigApplied(ILogger logger, string path, string trigger, string hash, string changed);

    [LoggerMessage(821, LogLevel.Error, "Configuration {Path} refused ({Trigger}): {Count} problem(s); the previous configuration stays in force: {Errors}")]
    public static partial void ConfigRejected(ILogger logger, string path, string trigger, int count, string errors);

    [LoggerMessage(822, LogLevel.Information, "Configuration {Path} unchanged ({Trigger}); nothing to apply")]
    public static partial void ConfigUnchanged(ILogger logger, string path, string trigger);

    [LoggerMessage(823, LogLevel.Warning, "Cannot watch {Path} for changes; reload with SIGHUP (systemctl reload edge-gateway)")]
    public static partial void ConfigWatchFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(824, LogLevel.Error, "Configuration change not applied by {Applier}: it stays on the previous settings of {Path}")]
    public static partial void ConfigApplyFailed(ILogger logger, Exception exception, string applier, string path);

    [LoggerMessage(825, LogLevel.Warning, "Configuration sections {Sections} changed and take effect at the next restart (systemctl restart edge-gateway)")]
    public static partial void ConfigRestartNeeded(ILogger logger, string sections);

    [LoggerMessage(870, LogLevel.Debug, "Start-up trimmed: managed heap {HeapBeforeKb} kB -> {HeapAfterKb} kB, {PagedOutKb} kB of the executable's read-only pages returned to the page cache")]
    public static partial void StartupTrimmed(ILogger logger, long heapBeforeKb, long heapAfterKb, long pagedOutKb);

    [LoggerMessage(871, LogLevel.Debug, "Start-up trim: the executable's pages stay resident ({Reason})")]
    public static partial void StartupTrimPageOutFailed(ILogger logger, string reason);
}
