using Microsoft.Extensions.Logging;

namespace EdgeGateway.Hub.Internal;

// The hub receiver's log messages, one class for the assembly. EventIds 9000-9099 (stable: operators filter on them).
internal static partial class Log
{
    [LoggerMessage(EventId = 9000, Level = LogLevel.Information, Message = "Hub receiver consuming queue {Queue} (prefetch {Prefetch}) from {Node}")]
    public static partial void Consuming(ILogger logger, string queue, ushort prefetch, string node);

    [LoggerMessage(EventId = 9001, Level = LogLevel.Warning, Message = "Hub receiver lost the broker ({Reason}); reconnecting in {Delay}")]
    public static partial void BrokerLost(ILogger logger, string reason, TimeSpan delay);

    [LoggerMessage(EventId = 9002, Level = LogLevel.Error, Message = "Writing {Count} message(s) failed; each is tried alone")]
    public static partial void BatchFailed(ILogger logger, Exception exception, int count);

    [LoggerMessage(EventId = 9003, Level = LogLevel.Warning, Message = "Message on {Topic} rejected: {Reason}")]
    public static partial void Rejected(ILogger logger, string topic, string reason);

    [LoggerMessage(EventId = 9004, Level = LogLevel.Information, Message = "Hub schema at version {Version}; PostgreSQL ready")]
    public static partial void SchemaReady(ILogger logger, int version);

    [LoggerMessage(EventId = 9005, Level = LogLevel.Error, Message = "PostgreSQL unavailable ({Reason}); deliveries returned to the queue, retrying in {Delay}")]
    public static partial void DatabaseDown(ILogger logger, string reason, TimeSpan delay);

    [LoggerMessage(EventId = 9006, Level = LogLevel.Information, Message = "Hub receiver consuming {Topic} from {Host}:{Port} as {ClientId} (session present: {SessionPresent})")]
    public static partial void MqttConsuming(ILogger logger, string topic, string host, int port, string clientId, bool sessionPresent);
}
