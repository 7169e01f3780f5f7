using Microsoft.Extensions.Logging;

namespace EdgeGateway.Uplink.Internal;

internal static partial class Log
{
    [LoggerMessage(EventId = 7100, Level = LogLevel.Information, Message = "SL 651 link up to centre {Centre}; {Owed} report(s) owed")]
    public static partial void Sl651Connected(ILogger logger, string centre, long owed);

    [LoggerMessage(EventId = 7101, Level = LogLevel.Warning, Message = "SL 651 centre {Centre} did not accept the connection: {Reason}")]
    public static partial void Sl651ConnectFailed(ILogger logger, string centre, string reason);

    [LoggerMessage(EventId = 7102, Level = LogLevel.Warning, Message = "SL 651 link to centre {Centre} reset: {Reason}")]
    public static partial void Sl651LinkReset(ILogger logger, string centre, string reason);

    [LoggerMessage(EventId = 7103, Level = LogLevel.Information, Message = "SL 651 report {Function:X2} serial {Serial} observed {Observed:yyyy-MM-dd HH:mm} queued")]
    public static partial void Sl651ReportQueued(ILogger logger, byte function, ushort serial, DateTime observed);

    [LoggerMessage(EventId = 7104, Level = LogLevel.Information, Message = "SL 651 report {Function:X2} serial {Serial} confirmed by the centre")]
    public static partial void Sl651ReportConfirmed(ILogger logger, byte function, ushort serial);

    [LoggerMessage(EventId = 7105, Level = LogLevel.Error, Message = "SL 651 report queue cannot write ({Reason}); reports wait in memory and are sent from there")]
    public static partial void Sl651QueueWriteFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 7108, Level = LogLevel.Error, Message = "SL 651 report {Function:X2} cannot be made: {Reason}")]
    public static partial void Sl651ReportNotEncoded(ILogger logger, byte function, string reason);

    [LoggerMessage(EventId = 7107, Level = LogLevel.Information, Message = "SL 651 report queue writes again; the reports that waited in memory are stored")]
    public static partial void Sl651QueueWritten(ILogger logger);

    [LoggerMessage(EventId = 7106, Level = LogLevel.Error, Message = "SL 651 report queue cannot be opened; no reports will be made: {Reason}")]
    public static partial void Sl651QueueFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 7109, Level = LogLevel.Warning, Message = "SL 651 rainfall history cannot be read ({Reason}); the hour and day rainfall count from this start")]
    public static partial void Sl651HistoryFailed(ILogger logger, string reason);
}
