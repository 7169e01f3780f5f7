using EdgeGateway.Core.Readings;
using Microsoft.Extensions.Logging;

namespace EdgeGateway;

// The log messages of edgegw, one class for the assembly. EventIds are stable (operators and tests filter on them):
//   1-99     station start and stop
//   700-719  station pipeline: rule and station level transitions, events, alert state, rule windows
//   800-819  systemd watchdog
//   820-839  configuration reload
//   840-859  health
//   860-869  broadcast host glue (860 is the broadcast stage's own, logged by EdgeGateway.Broadcast)
//   870-879  start-up trim
//   900-919  control socket
// Other assemblies keep their own Log class and range: Acquisition 100-209, Broadcast 600-699,
// Uplink 7000-7199, Hub 9000-9099.
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "Station {StationId} started: edgegw {Version}, configuration {ConfigPath}, {SensorCount} sensors, {RuleCount} rules")]
    public static partial void StationStarted(ILogger logger, string stationId, string version, string configPath, int sensorCount, int ruleCount);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Station {StationId} stopping")]
    public static partial void StationStopping(ILogger logger, string stationId);

    // Station pipeline (700-719).
    [LoggerMessage(EventId = 700, Message = "Rule {Rule}: {From} -> {To} (measure {Measure}, threshold {Threshold})")]
    public static partial void RuleTransition(ILogger logger, LogLevel level, string rule, string from, string to, string measure, string threshold);

    [LoggerMessage(EventId = 711, Message = "Rule {Rule}: {From} -> {To} (input {Measure})")]
    public static partial void DigitalTransition(ILogger logger, LogLevel level, string rule, string from, string to, string measure);

    [LoggerMessage(EventId = 712, Message = "Station level {From} -> {To}")]
    public static partial void StationTransition(ILogger logger, LogLevel level, string from, string to);

    [LoggerMessage(EventId = 701, Message = "Event {Type} {Source}: {Message}")]
    public static partial void StationEventLogged(ILogger logger, LogLevel level, string type, string source, string message);

    [LoggerMessage(EventId = 702, Level = LogLevel.Error, Message = "Observer {Observer} failed")]
    public static partial void ObserverFailed(ILogger logger, Exception exception, string observer);

    [LoggerMessage(EventId = 703, Level = LogLevel.Warning, Message = "Alert state: {Problem}")]
    public static partial void AlertStateProblem(ILogger logger, string problem);

    [LoggerMessage(EventId = 704, Level = LogLevel.Information, Message = "Alert state restored: station level {Level} as of {Time:o}")]
    public static partial void AlertStateRestored(ILogger logger, string level, DateTimeOffset time);

    [LoggerMessage(EventId = 705, Level = LogLevel.Error, Message = "Alert state could not be read; starting from none")]
    public static partial void AlertStateRestoreFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 706, Level = LogLevel.Information, Message = "Rule windows primed with {Count} readings from the history")]
    public static partial void RuleWindowsPrimed(ILogger logger, int count);

    [LoggerMessage(EventId = 707, Level = LogLevel.Error, Message = "Readings history could not be loaded; rule windows start empty")]
    public static partial void RuleWindowsPrimeFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 708, Level = LogLevel.Error, Message = "Alert state could not be saved")]
    public static partial void AlertStateSaveFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 710, Level = LogLevel.Information, Message = "Rules reloaded: {Count} rules in force, station level {Level}, {Transitions} transition(s)")]
    public static partial void RulesReconfigured(ILogger logger, int count, string level, int transitions);

    // Debug: the sensor's own fault line (SensorChannel) is the warning; this says what the rules make of it.
    [LoggerMessage(EventId = 709, Level = LogLevel.Debug, Message = "Rules hold their levels: sensor {Sensor} is {Quality}")]
    public static partial void RulesHoldForSensorFault(ILogger logger, string sensor, Quality quality);

    // Watchdog (800-819), configuration reload (820-839), health (840-859).
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

    // Control socket (900-919).
    [LoggerMessage(900, LogLevel.Information, "Control socket listening on {Path} (at most {MaxClients} clients at once)")]
    public static partial void ControlListening(ILogger logger, string path, int maxClients);

    [LoggerMessage(901, LogLevel.Error, "Control socket {Path} could not be opened; the CLI cannot reach this service")]
    public static partial void ControlBindFailed(ILogger logger, Exception exception, string path);

    // No exception object: under a descriptor shortage this repeats, and a stack trace per line once
    // filled the disk. The message and the kind say all there is to know.
    [LoggerMessage(902, LogLevel.Warning, "Control socket accept failed ({Kind}): {Reason}; retrying in {Backoff} ({Suppressed} more like it in the last minute not logged)")]
    public static partial void ControlAcceptFailed(ILogger logger, string kind, string reason, TimeSpan backoff, long suppressed);

    [LoggerMessage(903, LogLevel.Warning, "Control request {Verb} refused: {Reason}")]
    public static partial void ControlRefused(ILogger logger, string verb, string reason);

    [LoggerMessage(904, LogLevel.Error, "Control verb {Verb} failed")]
    public static partial void ControlVerbFailed(ILogger logger, Exception exception, string verb);

    [LoggerMessage(905, LogLevel.Debug, "Control client connection ended abnormally")]
    public static partial void ControlClientFailed(ILogger logger, Exception exception);

    [LoggerMessage(906, LogLevel.Warning, "Control socket full: {MaxClients} clients connected; a new one was turned away ({Suppressed} more turned away in the last minute not logged)")]
    public static partial void ControlTooManyClients(ILogger logger, int maxClients, long suppressed);

    [LoggerMessage(870, LogLevel.Debug, "Start-up trimmed: managed heap {HeapBeforeKb} kB -> {HeapAfterKb} kB, {PagedOutKb} kB of the executable's read-only pages handed back")]
    public static partial void StartupTrimmed(ILogger logger, long heapBeforeKb, long heapAfterKb, long pagedOutKb);

    [LoggerMessage(871, LogLevel.Debug, "Start-up trim: the executable's pages stay resident ({Reason})")]
    public static partial void StartupTrimPageOutFailed(ILogger logger, string reason);

    [LoggerMessage(861, LogLevel.Information, "Operator action {Verb} by {Actor}: ok={Ok} {Outcome}")]
    public static partial void BroadcastOperatorAction(ILogger logger, string verb, string actor, bool ok, string outcome);
}
