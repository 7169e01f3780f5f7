using Microsoft.Extensions.Logging;

namespace EdgeGateway;

// Broadcast host glue (EventIds 860-869; 860 is the broadcast stage's own, logged by EdgeGateway.Broadcast).
internal static partial class Log
{
    [LoggerMessage(861, LogLevel.Information, "Operator action {Verb} by {Actor}: ok={Ok} {Outcome}")]
    public static partial void BroadcastOperatorAction(ILogger logger, string verb, string actor, bool ok, string outcome);
}
