using Microsoft.Extensions.Logging;

namespace EdgeGateway;

// Control socket: EventIds 900-919.
internal static partial class Log
{
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
}
