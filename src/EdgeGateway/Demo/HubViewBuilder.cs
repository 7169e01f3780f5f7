using System.Globalization;
using System.Text.Json.Nodes;

namespace EdgeGateway.Demo;

/// <summary>A gauge the live view shows, from station.yaml: rain sensors are shown as their rolling hour.</summary>
public sealed record SensorInfo(string Id, string Unit, bool IsRain, IReadOnlyList<(string Level, double Threshold)> Thresholds);

/// <summary>
/// Turns what the hub received (telemetry, alerts, events) into the parts of a live-view snapshot: readings
/// and their recent history, rule and station levels, broadcasts, and a log of recent happenings. The view
/// shows the station as the hub sees it, which is what the demo is meant to prove.
/// </summary>
public static class HubViewBuilder
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Sensor views at <paramref name="now"/>: 24 buckets of 5 minutes each (the last two hours).</summary>
    public static IReadOnlyList<SensorView> Sensors(IReadOnlyList<HubMessage> messages, IReadOnlyList<SensorInfo> sensors, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ArgumentNullException.ThrowIfNull(sensors);
        var readings = Readings(messages);
        var bucket = TimeSpan.FromMinutes(5);
        const int buckets = 24;
        var views = new List<SensorView>();
        foreach (var sensor in sensors)
        {
            var mine = readings.Where(r => r.Sensor == sensor.Id && r.Time <= now).ToList();
            var latest = mine.Count > 0 ? mine[^1] : default;
            var history = new List<double>();
            for (var b = buckets - 1; b >= 0; b--)
            {
                var from = now - (bucket * (b + 1));
                var to = now - (bucket * b);
                var inBucket = mine.Where(r => r.Time > from && r.Time <= to && r.Quality == "good").ToList();
                history.Add(sensor.IsRain ? inBucket.Sum(r => r.Value) : inBucket.Count > 0 ? inBucket[^1].Value : double.NaN);
            }

            if (sensor.IsRain)
            {
                var hour = mine.Where(r => r.Time > now - TimeSpan.FromHours(1) && r.Quality == "good").Sum(r => r.Value);
                views.Add(new SensorView(sensor.Id, sensor.Unit, mine.Count > 0 ? hour : double.NaN, latest.Quality ?? "—",
                    history, "mm in the last hour", sensor.Thresholds));
            }
            else
            {
                views.Add(new SensorView(sensor.Id, sensor.Unit, latest.Quality == "good" ? latest.Value : double.NaN, latest.Quality ?? "—",
                    history, null, sensor.Thresholds));
            }
        }

        return views;
    }

    /// <summary>The latest level of every rule seen in an alert (in first-seen order) and the station level.</summary>
    public static (IReadOnlyList<RuleView> Rules, string Station) Levels(IReadOnlyList<HubMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var rules = new List<RuleView>();
        var station = "none";
        foreach (var alert in messages.Where(m => m.Kind == HubMessageKind.Alert && m.Json is not null))
        {
            var json = alert.Json!;
            var to = Text(json, "to") ?? "none";
            if (Text(json, "scope") == "station")
            {
                station = to;
                continue;
            }

            var id = Text(json, "rule") ?? "?";
            var view = new RuleView(id, to, Number(json, "value") ?? double.NaN);
            var index = rules.FindIndex(r => r.Id == id);
            if (index < 0)
            {
                rules.Add(view);
            }
            else
            {
                rules[index] = view;
            }
        }

        return (rules, station);
    }

    /// <summary>What is playing (a started broadcast not yet finished) and what has finished, in order.</summary>
    public static (string? Playing, IReadOnlyList<string> Played, IReadOnlyList<string> Failed) Broadcasts(IReadOnlyList<HubMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        string? playing = null;
        var played = new List<string>();
        var failed = new List<string>();
        foreach (var e in messages.Where(m => m.Kind == HubMessageKind.Event && m.Json is not null))
        {
            var source = Text(e.Json!, "source") ?? "?";
            switch (Text(e.Json!, "type"))
            {
                case "broadcast-started":
                    playing = source;
                    break;
                case "broadcast-finished":
                    played.Add(source);
                    playing = null;
                    break;
                case "broadcast-failed":
                    failed.Add(source);
                    playing = null;
                    break;
            }
        }

        return (playing, played, failed);
    }

    /// <summary>Alerts and events as log lines, oldest first: "HH:mm rule river none → watch (2.81)".</summary>
    public static IReadOnlyList<string> Log(IReadOnlyList<HubMessage> messages, DateTimeOffset stormStart)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var lines = new List<string>();
        foreach (var m in messages.Where(m => m.Json is not null && m.Kind is HubMessageKind.Alert or HubMessageKind.Event))
        {
            var json = m.Json!;
            var at = Time(json) is { } t ? DemoRenderer.Clock(t - stormStart) : "--:--";
            if (m.Kind == HubMessageKind.Alert)
            {
                var value = Number(json, "value") is { } v ? string.Create(Inv, $" ({v:0.##})") : "";
                var scope = Text(json, "scope") == "station" ? "STATION" : "rule " + Text(json, "rule");
                lines.Add($"{at}  {scope} {Text(json, "from")} → {Text(json, "to")}{value}");
            }
            else
            {
                lines.Add($"{at}  {Text(json, "type")} {Text(json, "source")}".TrimEnd());
            }
        }

        return lines;
    }

    /// <summary>Every reading in the telemetry received, in time order.</summary>
    public static IReadOnlyList<(string Sensor, DateTimeOffset Time, double Value, string? Quality)> Readings(IReadOnlyList<HubMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var list = new List<(string, DateTimeOffset, double, string?)>();
        foreach (var batch in messages.Where(m => m.Kind == HubMessageKind.Telemetry && m.Json is not null))
        {
            if (batch.Json!["readings"] is not JsonArray readings)
            {
                continue;
            }

            foreach (var r in readings.OfType<JsonObject>())
            {
                if (Text(r, "sensor") is { } sensor && Time(r) is { } time)
                {
                    list.Add((sensor, time, Number(r, "value") ?? double.NaN, Text(r, "quality")));
                }
            }
        }

        return [.. list.OrderBy(r => r.Item2)];
    }

    private static string? Text(JsonObject json, string key) =>
        json[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static double? Number(JsonObject json, string key) =>
        json[key] is JsonValue v && v.TryGetValue<double>(out var d) ? d : null;

    private static DateTimeOffset? Time(JsonObject json) =>
        Text(json, "time") is { } s && DateTimeOffset.TryParse(s, Inv, DateTimeStyles.AssumeUniversal, out var t) ? t : null;
}
