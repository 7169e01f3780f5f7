using EdgeGateway.Core.Events;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Broadcast.Internal;

/// <summary>
/// The broadcaster's station events, each built in one place: started, finished, failed, a relay that cannot be
/// driven, the self-test report and messages that cannot be played. Each is logged beside it, so the journal
/// and the hub say the same thing.
/// </summary>
internal sealed class BroadcastEvents(IStationEventSink sink, TimeProvider time, ILogger logger)
{
    /// <summary>
    /// A relay line failed: logged, and published unless <paramref name="publish"/> is false (the silent self-test
    /// counts it among its problems instead). <paramref name="what"/> ends "relay X cannot be ...": driven, switched on, switched off.
    /// </summary>
    public void RelayFailed(string relay, Exception error, string what, bool publish = true)
    {
        Log.RelayFailed(logger, error, relay);
        if (publish)
        {
            Publish(StationEventTypes.BroadcastFailed, "relay", $"relay {relay} cannot be {what}: {error.Message}", new() { ["reason"] = "relay", ["relay"] = relay });
        }
    }

    public void Started(BroadcastEntry entry, bool owed)
    {
        var request = entry.Request;
        Publish(StationEventTypes.BroadcastStarted, request.Label, $"broadcast {request.Label} started", Describe(entry, owed));
        Log.BroadcastStarted(logger, request.Label, request.Priority, request.Origin, request.Repeat);
    }

    public void Failed(BroadcastEntry entry, bool owed, string reason, string error, string fallback)
    {
        Log.BroadcastFailed(logger, entry.Request.Label, reason, error, fallback);
        var data = Describe(entry, owed);
        data["reason"] = reason;
        data["error"] = error;
        data["fallback"] = fallback;
        Publish(StationEventTypes.BroadcastFailed, entry.Request.Label, $"broadcast {entry.Request.Label}: {error}", data);
    }

    public void Finished(BroadcastEntry entry, bool owed, BroadcastOutcome outcome, string? error)
    {
        var data = Describe(entry, owed);
        var name = outcome.ToString().ToLowerInvariant();
        data["completed"] = outcome == BroadcastOutcome.Completed;
        data["outcome"] = name;
        data["repeatsPlayed"] = entry.RepeatsPlayed;
        data["durationMs"] = entry.StartedAt is { } started ? (long)(time.GetUtcNow() - started).TotalMilliseconds : 0;
        if (error is not null)
        {
            data["error"] = error;
        }

        Log.BroadcastFinished(logger, entry.Request.Label, name, entry.RepeatsPlayed, entry.Request.Repeat);
        Publish(StationEventTypes.BroadcastFinished, entry.Request.Label, $"broadcast {entry.Request.Label} {name}", data);
    }

    public void SelfTest(SelfTestReport report, string sinkDescription, IEnumerable<ZoneOptions> zones)
    {
        var (silent, outcome, problems) = (report.Silent, report.Outcome, report.Problems);
        Log.SelfTest(logger, outcome == "passed" && problems.Count == 0 ? LogLevel.Information : LogLevel.Warning, silent, outcome, problems.Count);
        Publish(StationEventTypes.SelfTest, "broadcast", $"{(silent ? "silent self-test" : "audible test")} {outcome}", new()
        {
            ["silent"] = silent,
            ["outcome"] = outcome,
            ["ok"] = outcome == "passed",
            ["problems"] = problems,
            ["sink"] = sinkDescription,
            ["zones"] = zones.Select(z => z.Id).ToArray(),
        });
    }

    public void MessageProblems(IReadOnlyList<string> problems)
    {
        foreach (var problem in problems)
        {
            Log.MessageProblem(logger, problem);
        }

        if (problems.Count > 0)
        {
            Publish(StationEventTypes.SelfTest, "broadcast", "broadcast messages that cannot be played (the siren would sound instead): " + string.Join("; ", problems), new()
            {
                ["silent"] = true,
                ["check"] = "messages",
                ["outcome"] = "failed",
                ["problems"] = problems,
            });
        }
    }

    private static Dictionary<string, object?> Describe(BroadcastEntry entry, bool owed) => new()
    {
        ["id"] = entry.Request.Id.ToString(),
        ["owed"] = owed,
        ["resumed"] = entry.Resumed,
        ["message"] = entry.Request.Message,
        ["text"] = entry.Request.Text,
        ["origin"] = entry.Request.Origin.ToString().ToLowerInvariant(),
        ["priority"] = entry.Request.Priority.ToString(),
        ["repeat"] = entry.Request.Repeat,
    };

    private void Publish(string type, string source, string message, Dictionary<string, object?> data) =>
        sink.Publish(new StationEvent(type, time.GetUtcNow(), source, message, data));
}
