using Microsoft.Extensions.Logging;

namespace EdgeGateway;

// Broadcast host glue (EventIds 860-869).
internal static partial class Log
{
    [LoggerMessage(860, LogLevel.Warning, "Station level {From} -> {To} could not be handed to the broadcaster")]
    public static partial void BroadcastTransitionRefused(ILogger logger, Exception exception, string from, string to);

    [LoggerMessage(861, LogLevel.Information, "Operator action {Verb} by {Actor}: ok={Ok} {Outcome}")]
    public static partial void BroadcastOperatorAction(ILogger logger, string verb, string actor, bool ok, string outcome);
}
