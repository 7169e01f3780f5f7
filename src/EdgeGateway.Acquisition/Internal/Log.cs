using Microsoft.Extensions.Logging;

namespace EdgeGateway.Acquisition.Internal;

// Acquisition log messages. EventIds: sensors 100-119, GPIO 120-139, I2C 140-159, buses 160-189, history 190-209.
internal static partial class Log
{
    [LoggerMessage(100, LogLevel.Warning, "Sensor {Sensor} fault ({Quality}): {Reason}")]
    public static partial void SensorFault(ILogger logger, string sensor, string quality, string reason);

    [LoggerMessage(101, LogLevel.Information, "Sensor {Sensor} recovered after {Duration}")]
    public static partial void SensorRecovered(ILogger logger, string sensor, TimeSpan duration);

    [LoggerMessage(102, LogLevel.Warning, "Sensor {Sensor}: counter went from {Previous} to {Current}; taken as a reset")]
    public static partial void CounterReset(ILogger logger, string sensor, double previous, double current);

    [LoggerMessage(103, LogLevel.Information, "Sensor {Sensor}: counter wrapped from {Previous} to {Current}")]
    public static partial void CounterWrapped(ILogger logger, string sensor, double previous, double current);

    [LoggerMessage(104, LogLevel.Warning, "Sensor {Sensor}: counter moved by a reload (bus {Bus}, slave {Slave}, address {Address}); starting a new baseline")]
    public static partial void CounterRebaselined(ILogger logger, string sensor, string bus, byte slave, ushort address);

    [LoggerMessage(105, LogLevel.Information, "Sensors reloaded: added {Added}; removed {Removed}; changed {Changed}; buses restarted {Buses}")]
    public static partial void AcquisitionApplied(ILogger logger, string added, string removed, string changed, string buses);

    [LoggerMessage(120, LogLevel.Information, "GPIO input {Sensor} on line {Pin} ready ({Mode})")]
    public static partial void GpioInputReady(ILogger logger, string sensor, int pin, string mode);

    [LoggerMessage(121, LogLevel.Warning, "GPIO line {Pin} does not support {Mode}; using plain input (fit an external resistor)")]
    public static partial void GpioBiasUnsupported(ILogger logger, int pin, string mode);

    [LoggerMessage(122, LogLevel.Error, "GPIO input {Sensor} on line {Pin} cannot be used: {Reason}")]
    public static partial void GpioInputFailed(ILogger logger, string sensor, int pin, string reason);

    [LoggerMessage(140, LogLevel.Information, "INA219 {Sensor} answering on I2C bus {Bus} at 0x{Address:x2}")]
    public static partial void Ina219Ready(ILogger logger, string sensor, int bus, int address);

    [LoggerMessage(160, LogLevel.Warning, "Bus {Bus}: slave {Slave} not answering ({Reason}); skipped for {Backoff} before the next probe")]
    public static partial void SlaveDegraded(ILogger logger, string bus, byte slave, string reason, TimeSpan backoff);

    [LoggerMessage(161, LogLevel.Information, "Bus {Bus}: slave {Slave} answering again")]
    public static partial void SlaveRecovered(ILogger logger, string bus, byte slave);

    [LoggerMessage(162, LogLevel.Warning, "Bus {Bus} unavailable ({Reason}); next try in {Backoff}")]
    public static partial void BusUnavailable(ILogger logger, string bus, string reason, TimeSpan backoff);

    [LoggerMessage(163, LogLevel.Information, "Bus {Bus}: slave {Slave} refused registers {Address}+{Count} read together ({Reason}); reading them one by one from now on")]
    public static partial void BusSplitRequest(ILogger logger, string bus, byte slave, int address, int count, string reason);

    [LoggerMessage(164, LogLevel.Error, "Bus {Bus}: request to slave {Slave} failed unexpectedly")]
    public static partial void BusRequestFailed(ILogger logger, Exception exception, string bus, byte slave);

    [LoggerMessage(165, LogLevel.Warning, "Bus {Bus}: write to slave {Slave} at {Address} failed: {Reason}")]
    public static partial void BusWriteFailed(ILogger logger, string bus, byte slave, int address, string reason);

    [LoggerMessage(166, LogLevel.Error, "Sensor {Sensor} names bus {Bus}, which is not configured")]
    public static partial void UnknownBus(ILogger logger, string sensor, string bus);

    [LoggerMessage(190, LogLevel.Information, "Readings history {Path}: {Count} readings kept, retention {Retention}")]
    public static partial void HistoryOpened(ILogger logger, string path, long count, TimeSpan retention);

    [LoggerMessage(191, LogLevel.Error, "Readings history {Path} could not be written; {Count} readings kept in memory for the next try")]
    public static partial void HistoryWriteFailed(ILogger logger, Exception exception, string path, int count);

    [LoggerMessage(192, LogLevel.Debug, "Readings history: pruned {Count} readings older than {Cutoff}")]
    public static partial void HistoryPruned(ILogger logger, int count, DateTimeOffset cutoff);

    [LoggerMessage(193, LogLevel.Error, "Readings history {Path} cannot be opened; readings still flow to rules and uplink but will not survive a restart")]
    public static partial void HistoryOpenFailed(ILogger logger, Exception exception, string path);

    [LoggerMessage(194, LogLevel.Warning, "Readings history backlog over {Limit}; the oldest {Dropped} unwritten readings were dropped")]
    public static partial void HistoryBacklogDropped(ILogger logger, int limit, int dropped);
}
