using Microsoft.Extensions.Logging;

namespace EdgeGateway.Uplink.Internal;

// The uplink's log messages, one class for the assembly. EventIds (stable: operators filter on them): MQTT uplink,
// outbox, commands and stores 7000-7099 in this file; SL 651 station 7100-7199 in Log.Sl651.cs.
internal static partial class Log
{
    [LoggerMessage(EventId = 7000, Level = LogLevel.Information, Message = "Uplink connected to {Host}:{Port} as {ClientId} (MQTT {Protocol}); {Queued} message(s) queued")]
    public static partial void Connected(ILogger logger, string host, int port, string clientId, string protocol, long queued);

    [LoggerMessage(EventId = 7001, Level = LogLevel.Warning, Message = "Uplink connection to {Host}:{Port} failed: {Reason}; retrying in {Delay}")]
    public static partial void ConnectFailed(ILogger logger, string host, int port, string reason, TimeSpan delay);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Error, Message = "The broker {Host}:{Port} refused the credentials of user {User} ({Code}); check the password file and the broker's password/ACL files. Retrying in {Delay}")]
    public static partial void AuthRefused(ILogger logger, string host, int port, string? user, string code, TimeSpan delay);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Error, Message = "Uplink cannot connect: {Problem}. Retrying in {Delay}")]
    public static partial void LocalFault(ILogger logger, string problem, TimeSpan delay);

    [LoggerMessage(EventId = 7004, Level = LogLevel.Warning, Message = "Uplink disconnected: {Reason}")]
    public static partial void Disconnected(ILogger logger, string reason);

    [LoggerMessage(EventId = 7005, Level = LogLevel.Error, Message = "Outbox write failed; message for {Topic} not queued")]
    public static partial void OutboxWriteFailed(ILogger logger, Exception exception, string topic);

    [LoggerMessage(EventId = 7006, Level = LogLevel.Warning, Message = "Queue limit reached: dropped {Count} telemetry message(s) ({Bytes} bytes), seqs {Ranges}")]
    public static partial void TelemetryDropped(ILogger logger, int count, long bytes, string ranges);

    [LoggerMessage(EventId = 7007, Level = LogLevel.Warning, Message = "Broker answered publish of seq {Seq} on {Topic} with {Reason}; reconnecting and retrying")]
    public static partial void PublishRejected(ILogger logger, long seq, string topic, string reason);

    [LoggerMessage(EventId = 7008, Level = LogLevel.Error, Message = "Broker refused the subscription to {Topic} ({Reason}): commands from the hub cannot arrive; telemetry and alerts still go up")]
    public static partial void SubscribeRefused(ILogger logger, string topic, string reason);

    [LoggerMessage(EventId = 7010, Level = LogLevel.Information, Message = "Command {Jti} ({Command}) accepted{Note}")]
    public static partial void CommandAccepted(ILogger logger, string jti, string command, string note);

    [LoggerMessage(EventId = 7011, Level = LogLevel.Warning, Message = "Command {Jti} from {Topic} refused: {Error}")]
    public static partial void CommandRefused(ILogger logger, string? jti, string topic, string error);

    [LoggerMessage(EventId = 7012, Level = LogLevel.Error, Message = "Command {Jti} handler failed")]
    public static partial void CommandHandlerFailed(ILogger logger, Exception exception, string jti);

    [LoggerMessage(EventId = 7013, Level = LogLevel.Error, Message = "Command key {Path} cannot be used: {Problem}; every command will be refused")]
    public static partial void CommandKeyFault(ILogger logger, string path, string problem);

    [LoggerMessage(EventId = 7014, Level = LogLevel.Warning, Message = "The station clock ({Now}) is not plausible (build {Build}); certificate and command time checks are relaxed until it is")]
    public static partial void ClockImplausible(ILogger logger, DateTimeOffset now, DateTimeOffset build);

    [LoggerMessage(EventId = 7015, Level = LogLevel.Error, Message = "Uplink storage {Path} cannot be opened; nothing will be queued")]
    public static partial void StorageFault(ILogger logger, Exception exception, string path);

    [LoggerMessage(EventId = 7016, Level = LogLevel.Warning, Message = "Uplink housekeeping failed")]
    public static partial void HousekeepingFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 7018, Level = LogLevel.Error, Message = "Uplink {Store} store cannot write: {Error}; messages wait in memory and are written when it can")]
    public static partial void StoreWriteFailed(ILogger logger, string store, string error);

    [LoggerMessage(EventId = 7019, Level = LogLevel.Information, Message = "Uplink {Store} store writes again; what waited in memory is stored")]
    public static partial void StoreWritesResumed(ILogger logger, string store);

    [LoggerMessage(EventId = 7020, Level = LogLevel.Warning, Message = "Seqs {From}-{To} were reserved before an unclean stop and never stored; announced as skipped")]
    public static partial void SeqSkipped(ILogger logger, long from, long to);

    [LoggerMessage(EventId = 7017, Level = LogLevel.Information, Message = "Uplink settings reloaded (broker {Host}:{Port}); reconnecting: {Reconnect}")]
    public static partial void Reconfigured(ILogger logger, string host, int port, bool reconnect);

    [LoggerMessage(EventId = 7030, Level = LogLevel.Error, Message = "Command {Jti} from {Topic} failed; answered with an error, later commands go on")]
    public static partial void CommandFailed(ILogger logger, Exception exception, string? jti, string topic);

    [LoggerMessage(EventId = 7031, Level = LogLevel.Error, Message = "The event record cannot be written; the station goes on, and the record misses entries until the disk takes writes again")]
    public static partial void EventRecordWriteFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 7032, Level = LogLevel.Information, Message = "The event record is written again")]
    public static partial void EventRecordWritesResumed(ILogger logger);

    [LoggerMessage(EventId = 7033, Level = LogLevel.Error, Message = "The event record {Path} cannot be opened; the station goes on without it")]
    public static partial void EventRecordOpenFailed(ILogger logger, Exception exception, string path);
}
