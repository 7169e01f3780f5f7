using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using EdgeGateway.Configuration;
using EdgeGateway.Configuration.Internal;
using EdgeGateway.Core.Events;
using EdgeGateway.Replay;
using EdgeGateway.Uplink.Record;

namespace EdgeGateway.Cli;

/// <summary>
/// <c>edgegw events [--since 24h] [--type TYPE] [--json]</c>: the station's own record of level transitions,
/// broadcasts, self-tests, faults, reloads and operator and hub actions, asked of the running service.
/// </summary>
public static class EventsCommands
{
    private const int Columns = 80;
    private const int TypeWidth = 18;

    /// <summary>What --type accepts: the event types and <c>alert</c> (level transitions).</summary>
    public static IReadOnlyList<string> Types { get; } = [EventRecord.AlertType, .. StationEventTypes.All];

    public static Command Build()
    {
        var events = new Command(
            "events",
            "The station's own record, oldest first: level transitions (type alert), broadcasts, self-tests, faults, " +
            "reloads, operator and hub actions; kept 30 days, readable while the uplink is down. Text: one line per " +
            "entry in local time. --json: JSON Lines, each line the message as the hub is sent it.");
        var since = new Option<string>("--since")
        {
            Description = "How far back (30m, 24h, 7d; default 24h)",
            HelpName = "DURATION",
        };
        var type = new Option<string[]>("--type")
        {
            Description = "Only entries of this type (repeatable): alert, " + string.Join(", ", StationEventTypes.All),
            HelpName = "TYPE",
        };
        events.Options.Add(since);
        events.Options.Add(type);
        var target = ServiceTarget.AddTo(events);
        events.SetAction(async (parse, ct) =>
        {
            var args = new JsonObject();
            if (parse.GetValue(since) is { } text)
            {
                if (!ConfigValueText.TryParseDuration(text, out var span) || span <= TimeSpan.Zero)
                {
                    return await CliUsage.FailAsync(parse, $"--since '{text}' is not a duration (30m, 24h, 7d)").ConfigureAwait(false);
                }

                args["sinceSeconds"] = span.TotalSeconds;
            }

            var types = parse.GetValue(type) ?? [];
            foreach (var t in types)
            {
                if (!Types.Contains(t, StringComparer.Ordinal))
                {
                    var near = Suggest.Nearest(t, Types) is { } n ? $"; did you mean '{n}'?" : "";
                    return await CliUsage.FailAsync(parse, $"no event type '{t}'{near} Types: {string.Join(", ", Types)}").ConfigureAwait(false);
                }
            }

            if (types.Length > 0)
            {
                args["types"] = new JsonArray([.. types.Select(t => (JsonNode)t)]);
            }

            return await target.InvokeAsync(parse, EventsVerbName, args, Describe, ct, describeJson: JsonLines, then: async (_, result) =>
            {
                if (parse.GetValue(target.Json) && result?["truncated"]?.GetValue<bool>() == true)
                {
                    // Not among the JSON Lines: a reader of stdout gets only payloads.
                    await parse.InvocationConfiguration.Error.WriteLineAsync($"edgegw: only the newest {result["events"]?.AsArray().Count} entries; narrow with --since or --type").ConfigureAwait(false);
                }

                return ExitCodes.Success;
            }).ConfigureAwait(false);
        });
        return events.WithExamples(
            "edgegw events --since 7d --type alert",
            "edgegw events --type self-test --type broadcast-finished --json");
    }

    private const string EventsVerbName = "events";

    /// <summary>One entry as a line of at most 80 columns: local time, type, the gist.</summary>
    public static string Line(JsonNode entry, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(zone);
        var time = DateTimeOffset.TryParse(entry["time"]?.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)
            ? TimeZoneInfo.ConvertTime(t, zone).ToString("MM-dd HH:mm:ss", CultureInfo.InvariantCulture)
            : "??-?? ??:??:??";
        var type = entry["type"]?.GetValue<string>() ?? EventRecord.AlertType;
        var line = new StringBuilder(Columns).Append(time).Append(' ').Append(type.PadRight(TypeWidth)).Append(' ').Append(Gist(entry));
        if (line.Length > Columns)
        {
            line.Length = Columns - 3;
            line.Append("...");
        }

        return line.ToString();
    }

    private static string Gist(JsonNode entry)
    {
        if (entry["type"] is null)
        {
            // A level transition: its alert payload.
            var scope = entry["scope"]?.GetValue<string>();
            var text = $"{scope} {entry["rule"]}: {entry["from"]} -> {entry["to"]}";
            if (scope == "rule" && Number(entry["value"]) is { } value)
            {
                text += Number(entry["threshold"]) is { } threshold ? $" ({value}, threshold {threshold})" : $" ({value})";
            }

            return text;
        }

        return entry["message"]?.GetValue<string>() ?? entry["source"]?.GetValue<string>() ?? "";
    }

    private static string? Number(JsonNode? node) =>
        node is JsonValue v && v.TryGetValue<double>(out var d) ? TransitionFormat.Number(d) : null;

    private static string Describe(JsonNode? result)
    {
        var entries = result?["events"]?.AsArray() ?? [];
        if (entries.Count == 0)
        {
            return "no events recorded in that time";
        }

        var lines = entries.Select(e => Line(JsonNode.Parse(e!.GetValue<string>())!, TimeZoneInfo.Local));
        if (result?["truncated"]?.GetValue<bool>() == true)
        {
            lines = lines.Prepend(string.Create(CultureInfo.InvariantCulture, $"(only the newest {entries.Count} shown; narrow with --since or --type)"));
        }

        return string.Join(Environment.NewLine, lines);
    }

    private static string JsonLines(JsonNode? result) =>
        string.Join(Environment.NewLine, (result?["events"]?.AsArray() ?? []).Select(e => e!.GetValue<string>()));
}
