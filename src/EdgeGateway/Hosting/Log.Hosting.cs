using Microsoft.Extensions.Logging;

namespace EdgeGateway;

// Hosting: watchdog (EventIds 800-819), configuration reload (820-839), health (840-859).
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
}
