using Microsoft.Extensions.Logging;

namespace EdgeGateway;

/// <summary>
/// The host's log messages. Event ids are stable (operators filter on them): 1-99 hosting; other
/// areas of this assembly take their own hundred in their own file of this partial class.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "Station {StationId} started: edgegw {Version}, configuration {ConfigPath}, {SensorCount} sensors, {RuleCount} rules")]
    public static partial void StationStarted(ILogger logger, string stationId, string version, string configPath, int sensorCount, int ruleCount);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Station {StationId} stopping")]
    public static partial void StationStopping(ILogger logger, string stationId);
}
