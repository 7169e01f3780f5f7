using Microsoft.Extensions.Logging;

namespace EdgeGateway.Broadcast.Internal;

/// <summary>
/// The assembly's log messages: EventIds 600-699, and 860, which the line handing a level change to the
/// broadcaster had in the host before it moved here (EventIds are stable: operators filter on them).
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 600, Level = LogLevel.Information, Message = "Broadcast relays driven off (amplifier GPIO {AmplifierPin}, {ZoneCount} zones); audio sink {Sink}")]
    public static partial void BroadcastReady(ILogger logger, int amplifierPin, int zoneCount, string sink);

    [LoggerMessage(EventId = 601, Level = LogLevel.Error, Message = "Broadcast relay {Relay} could not be switched")]
    public static partial void RelayFailed(ILogger logger, Exception exception, string relay);

    [LoggerMessage(EventId = 602, Level = LogLevel.Information, Message = "Broadcast {Message} ({Priority}, from {Origin}) started: {Repeat} time(s)")]
    public static partial void BroadcastStarted(ILogger logger, string message, EdgeGateway.Broadcast.BroadcastPriority priority, EdgeGateway.Broadcast.BroadcastOrigin origin, int repeat);

    [LoggerMessage(EventId = 603, Level = LogLevel.Information, Message = "Broadcast {Message} ended: {Outcome} after {RepeatsPlayed} of {Repeat} repeat(s)")]
    public static partial void BroadcastFinished(ILogger logger, string message, string outcome, int repeatsPlayed, int repeat);

    [LoggerMessage(EventId = 604, Level = LogLevel.Error, Message = "Broadcast {Message} failed ({Reason}): {Error}; fallback: {Fallback}")]
    public static partial void BroadcastFailed(ILogger logger, string message, string reason, string error, string fallback);

    [LoggerMessage(EventId = 605, Level = LogLevel.Information, Message = "Broadcast {Message} not queued: {Key} is already playing or queued")]
    public static partial void BroadcastIgnored(ILogger logger, string message, string key);

    [LoggerMessage(EventId = 606, Level = LogLevel.Information, Message = "Broadcast stopped: {Current}; {Dropped} queued request(s) dropped")]
    public static partial void BroadcastStopped(ILogger logger, string current, int dropped);

    // The level is the caller's: a self-test that did not pass is a fault (warning), one that did is news.
    [LoggerMessage(EventId = 607, Message = "Broadcast self-test (silent: {Silent}): {Outcome}, {ProblemCount} problem(s)")]
    public static partial void SelfTest(ILogger logger, LogLevel level, bool silent, string outcome, int problemCount);

    [LoggerMessage(EventId = 608, Level = LogLevel.Warning, Message = "Broadcast message problem: {Problem}")]
    public static partial void MessageProblem(ILogger logger, string problem);

    [LoggerMessage(EventId = 609, Message = "Station level {From} -> {To}: broadcast {Action}")]
    public static partial void LevelChanged(ILogger logger, LogLevel level, string from, string to, string action);

    [LoggerMessage(EventId = 610, Level = LogLevel.Warning, Message = "Broadcast shutting down: {Dropped} queued request(s) not played")]
    public static partial void ShutdownDropped(ILogger logger, int dropped);

    [LoggerMessage(EventId = 611, Level = LogLevel.Information, Message = "Broadcast relays at shutdown: {Lines}")]
    public static partial void RelaysAtShutdown(ILogger logger, string lines);

    [LoggerMessage(EventId = 612, Level = LogLevel.Information, Message = "Broadcast settings reloaded: {Messages} messages, gap {Gap}, self-test every {SelfTest} (the broadcast playing finishes as it began)")]
    public static partial void BroadcastReconfigured(ILogger logger, int messages, TimeSpan gap, TimeSpan selfTest);

    [LoggerMessage(EventId = 613, Level = LogLevel.Information, Message = "Owed broadcast {Key} plays again from the start of its message ({Why}): {Repeat} repeat(s)")]
    public static partial void ObligationResumed(ILogger logger, string key, string why, int repeat);

    [LoggerMessage(EventId = 614, Level = LogLevel.Information, Message = "Owed broadcast {Key} discharged: {Why}")]
    public static partial void ObligationDischarged(ILogger logger, string key, string why);

    [LoggerMessage(EventId = 615, Level = LogLevel.Warning, Message = "Owed broadcast {Key} failed; it stays owed and is tried again in {Delay}")]
    public static partial void ObligationRetry(ILogger logger, string key, TimeSpan delay);

    [LoggerMessage(EventId = 616, Level = LogLevel.Warning, Message = "Saved owed broadcast {Key} does not belong to the restored station level {Level}; dropped")]
    public static partial void ObligationDropped(ILogger logger, string key, string level);

    [LoggerMessage(EventId = 617, Level = LogLevel.Error, Message = "A listener for the end of broadcast {Id} failed")]
    public static partial void EndedListenerFailed(ILogger logger, Exception exception, Guid id);

    [LoggerMessage(EventId = 860, Level = LogLevel.Warning, Message = "Station level {From} -> {To} could not be handed to the broadcaster")]
    public static partial void BroadcastTransitionRefused(ILogger logger, Exception exception, string from, string to);
}
